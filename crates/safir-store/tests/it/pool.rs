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
