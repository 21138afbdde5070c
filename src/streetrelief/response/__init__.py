"""Response: tiered cold-weather response levels and the policies that set them."""
