"""The version of the avala package (also sent in the User-Agent header)."""

__version__ = "1.0.0"
