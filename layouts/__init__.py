"""Component trees of each view. No callbacks, no file or network I/O."""
