"""Tests of the response domain."""
