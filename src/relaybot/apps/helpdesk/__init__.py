"""The help desk (seed 000): people who need help meet people who give it, through any channel."""
