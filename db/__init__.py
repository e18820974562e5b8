"""Database layer: models, engine, migrations, services."""
