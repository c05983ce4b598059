//! Storage over SQLite or PostgreSQL.
