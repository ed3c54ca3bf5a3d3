"""Screens: the main search screen, the help and query-syntax screens, the empty-index screen."""
