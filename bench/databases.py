"""PostgreSQL databases for the benchmarks: created on first use, left in place for the next run."""


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the database named by `url` when it is missing; with `fresh`, drop it first (an empty database)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if fresh or not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
