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
