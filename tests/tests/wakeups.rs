//! Long-poll wakeups across server processes (LISTEN/NOTIFY), on the suite's database.

use colonies_blackbox::{server, unique};
use colonies_worker::{
    Interest, Ready, Wakeups, Woken,
    native::{events::Events, listener, wakeups::NativeWakeups},
};
use core::time::Duration;
use std::time::Instant;
use tokio::sync::watch;

fn pair(colony: &str) -> (Interest, Ready) {
    let interest = Interest {
        executor_id: "e-id".into(),
        cpu: i64::MAX,
        memory: i64::MAX,
        colony: colony.into(),
        executor_type: "t".into(),
        executor_name: "e".into(),
        location: String::new(),
    };
    let ready = Ready {
        colony: colony.into(),
        executor_type: "t".into(),
        executor_names: Vec::new(),
        location: String::new(),
    };
    (interest, ready)
}

#[tokio::test]
async fn an_event_published_by_one_server_wakes_a_waiter_on_another() {
    // Only when this suite started the server (a remote one's database is not ours to use).
    let Some(url) = server().database_url.as_deref() else { return };
    let pg: tokio_postgres::Config = url.parse().expect("a URL");
    let (stop, stop_rx) = watch::channel(false);
    let a = NativeWakeups::new();
    let b = NativeWakeups::new();
    // Each server's one LISTEN connection, as `colonies-edge serve` starts it.
    let listen = |w: &NativeWakeups, pg, origin: &str, stop| {
        tokio::spawn(listener::listen(pg, origin.into(), w.clone(), Events::new(), stop))
    };
    listen(&a, pg.clone(), "server-a", stop_rx.clone());
    listen(&b, pg, "server-b", stop_rx);
    tokio::time::timeout(Duration::from_secs(10), async {
        a.until_listening().await;
        b.until_listening().await;
    })
    .await
    .expect("both servers listen");

    let (interest, ready) = pair(&unique("colony"));
    let mut on_b = b.register(interest.clone());
    let mut on_a = a.register(interest);
    let started = Instant::now();
    a.publish(ready);
    // The local waiter is woken in-process; the remote one through NOTIFY.
    assert_eq!(a.wait(&mut on_a, Duration::from_secs(2)).await, Woken::Notified);
    assert_eq!(b.wait(&mut on_b, Duration::from_secs(2)).await, Woken::Notified);
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    // Each server wakes one waiter per event, and a server ignores its own notifications.
    assert_eq!(a.wait(&mut on_a, Duration::from_millis(200)).await, Woken::TimedOut);
    let _ = stop.send(true);
}
