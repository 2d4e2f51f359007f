"""The support chain's forms: one module per record kind, named as in services/ and views/;
`fields` holds the field builders they share, and elevstod.support.staff the person fields."""
