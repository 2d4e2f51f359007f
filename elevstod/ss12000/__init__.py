"""SS 12000 (SS 12000:2020, API 2.1.0): a client for the school-administration system and a mock
provider that serves the same shape (decision 0018).

This package depends only on the standard library, httpx, pydantic and Django's settings: it knows
nothing of Elevstöd's own apps. Mapping SS 12000 entities to Elevstöd's organisation and people is
the sync's work, elsewhere.
"""
