"""Migration helpers shared by the apps."""

from django.db import migrations


def trigram_indexes(*specs: tuple[str, str, str]) -> migrations.RunPython:
    """GIN trigram indexes for `icontains` search on PostgreSQL (skipped on SQLite).

    Django's `icontains` is `UPPER(col::text) LIKE UPPER(%s)`, so the index is on that
    expression. `specs` are (index name, table, column). Needs the pg_trgm extension; where
    the database user may not create it, the indexes are skipped with a notice and search
    still works, only slower.
    """

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            try:
                cursor.execute("SAVEPOINT trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT trgm")
            except Exception as error:  # no privilege: keep migrating without the indexes
                cursor.execute("ROLLBACK TO SAVEPOINT trgm")
                print(f"\n  pg_trgm not available ({error}); search indexes skipped")
                return
            for name, table, column in specs:
                cursor.execute(
                    f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{column}"::text) gin_trgm_ops)'
                )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for name, _table, _column in specs:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(forward, backward)
