"""A mock SS 12000 provider for tests and local development (``make ss12000-mock``)."""
