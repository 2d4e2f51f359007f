"""Matrix rows per feature area, merged into tests/test_authorization_matrix.MATRIX.

Each module defines ROWS: dict[str, Row]. A URL name may appear in one module only.
"""
