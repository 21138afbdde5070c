"""Weather: CAP warnings, observations and forecasts, wind chill."""
