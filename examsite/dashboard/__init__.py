"""The staff home page."""
