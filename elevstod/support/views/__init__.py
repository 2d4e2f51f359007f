"""The support chain's pages: one module per record kind, named as in services/ and forms/;
`_pages` holds what every page shares (its record through the one door, one service call per
act, the conflict of two saves)."""
