"""brief: reads arXiv for its user and writes technical briefings they can trust."""

__version__ = "0.1.0"
