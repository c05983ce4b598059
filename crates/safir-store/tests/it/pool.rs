use safir_store::Db;
use safir_store::testing::{TestDb, postgres_url};

/// A database server that closed the pool's connections (a restart, an administrator, an idle
/// timeout in between) costs no request an error: each connection is checked before use and
/// replaced if it is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_server_closed_are_replaced_before_use() {
    let Some(admin_url) = postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&admin_url).await;
    let Db::Postgres(pool) = &t.db else {
        unreachable!("a PostgreSQL test database")
    };
    // Open a few connections at once and note their server processes.
    let mut held = Vec::new();
    let mut pids = Vec::new();
    for _ in 0..4 {
        let mut conn = pool.acquire().await.unwrap();
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        pids.push(pid);
        held.push(conn);
    }
    drop(held);

    // Another session ends them, as a server restart would.
    let admin = Db::connect(&admin_url).await.unwrap();
    let Db::Postgres(admin_pool) = &admin else {
        unreachable!("a PostgreSQL admin connection")
    };
    let ended: Vec<bool> =
        sqlx::query_scalar("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid")
            .bind(&pids)
            .fetch_all(admin_pool)
            .await
            .unwrap();
    assert_eq!(ended, vec![true; 4]);
    admin.close().await;

    // Every idle connection is checked before use and replaced: no query fails.
    let mut handles = Vec::new();
    for _ in 0..4 {
        let pool = pool.clone();
        handles.push(tokio::spawn(async move {
            let mut conn = pool.acquire().await?;
            sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
                .fetch_one(&mut *conn)
                .await
        }));
    }
    for h in handles {
        let pid = h.await.unwrap().expect("a live connection");
        assert!(!pids.contains(&pid), "a closed connection was handed out");
    }
}

/// Migrating a database a newer version upgraded (its binary rolled back, or an old server
/// starting with `--migrate`) is refused by name, with what to do.
#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_by_name() {
    for t in TestDb::all().await {
        let db = &t.db;
        assert!(db.is_migrated().await.unwrap());
        assert_eq!(db.unknown_migrations().await.unwrap(), "");
        db.migrate().await.expect("migrating again changes nothing");
        safir_store::with_pool!(db.write(), p => {
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (9001, 'from a newer version', TRUE, $1, 0)",
            )
            .bind(vec![0u8; 48])
            .execute(p)
            .await
            .map(|_| ())
        })
        .unwrap();
        assert!(
            db.is_migrated().await.unwrap(),
            "still ready: a rolling upgrade keeps the servers of the version before serving"
        );
        assert_eq!(db.unknown_migrations().await.unwrap(), "9001");
        let err = db.migrate().await.unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, safir_store::StoreError::NewerSchema(_)),
            "{message}"
        );
        assert!(message.contains("newer version of Safir"), "{message}");
        assert!(message.contains("(9001)"), "{message}");
    }
}

/// A database that cannot be read (down, unreachable, a database that is not there) is an
/// error for the readiness check and for `migrate`, not a database with no migrations applied:
/// that would send the operator to run `safir migrate` on a database that is fine, and skip
/// the refusal of a database a newer version upgraded.
#[tokio::test]
async fn a_database_that_cannot_be_read_is_an_error_not_an_unmigrated_one() {
    use std::str::FromStr;

    // SQLite: its readers gone.
    let t = TestDb::sqlite().await;
    let Db::Sqlite { read, .. } = &t.db else {
        unreachable!("a SQLite test database")
    };
    read.close().await;
    assert!(t.db.is_migrated().await.is_err());
    assert!(t.db.unknown_migrations().await.is_err());
    assert!(t.db.migrate().await.is_err());

    // PostgreSQL: a database that does not exist on the server.
    let Some(admin_url) = postgres_url() else {
        return;
    };
    let opts = sqlx::postgres::PgConnectOptions::from_str(&admin_url)
        .unwrap()
        .database("safir_no_such_database");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_lazy_with(opts);
    let db = Db::Postgres(pool);
    let err = db.is_migrated().await.unwrap_err().to_string();
    assert!(err.contains("safir_no_such_database"), "{err}");
    let err = db.unknown_migrations().await.unwrap_err().to_string();
    assert!(err.contains("safir_no_such_database"), "{err}");
    let err = db.migrate().await.unwrap_err();
    assert!(
        matches!(err, safir_store::StoreError::Database(_)),
        "read before migrating: {err}"
    );
    db.close().await;
}

/// A new database, which no migration has run on, has no table of migrations yet: it reads as
/// none applied, not as an error.
#[tokio::test]
async fn a_new_database_reads_as_no_migrations_applied() {
    use std::str::FromStr;

    let dir = std::env::temp_dir().join(format!("safir-fresh-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&format!("sqlite://{}", dir.join("new.db").display()))
        .await
        .unwrap();
    assert!(!db.is_migrated().await.unwrap());
    assert_eq!(db.unknown_migrations().await.unwrap(), "");
    db.migrate().await.unwrap();
    assert!(db.is_migrated().await.unwrap());
    db.close().await;
    std::fs::remove_dir_all(&dir).unwrap();

    let Some(admin_url) = postgres_url() else {
        return;
    };
    let schema = format!("fresh_{}", uuid::Uuid::now_v7().as_simple());
    let admin = Db::connect(&admin_url).await.unwrap();
    let Db::Postgres(admin_pool) = &admin else {
        unreachable!("a PostgreSQL admin connection")
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(admin_pool)
        .await
        .unwrap();
    let opts = sqlx::postgres::PgConnectOptions::from_str(&admin_url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let db = Db::connect_postgres(opts).await.unwrap();
    let migrated = db.is_migrated().await;
    let unknown = db.unknown_migrations().await;
    db.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(admin_pool)
        .await
        .unwrap();
    admin.close().await;
    assert!(!migrated.unwrap());
    assert_eq!(unknown.unwrap(), "");
}
