"""Matrix rows per feature area, merged into tests/test_authorization_matrix.MATRIX.

Each module defines ROWS: dict[str, Row]. A URL name may appear in one module only. A module
whose targets cache records on the world also defines prepare(world), which builds all of them:
the matrix calls it once, before its first test (a record first built inside a test would be
rolled back after it while still cached).
"""
