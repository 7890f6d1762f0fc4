//! `colonies-edge watch` in a real terminal (a tmux pane): a process appears as waiting and
//! turns successful on screen as an executor takes and closes it.

mod support;

use core::time::Duration;
use serde_json::json;
use std::process::Command;
use support::setup;

/// The tmux session this test starts, killed (by its name) when the test ends.
struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.0]).status();
    }
}

impl Session {
    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until a line of the screen holds both `a` and `b`; returns the screen.
    async fn wait_for_line(&self, a: &str, b: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.lines().any(|l| l.contains(a) && l.contains(b)) {
                return screen;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no line with {a:?} and {b:?} on:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_shows_a_process_go_from_waiting_to_successful() {
    if Command::new("tmux").arg("-V").output().is_err() {
        // setup.sh installs tmux; a machine without it cannot run this test.
        println!("NOTE tmux is not installed: skipping the terminal test of watch");
        return;
    }
    let s = setup("watch").await;
    let command = s.command();
    let mut line = String::from("exec env");
    for (name, value) in command.get_envs() {
        if let (Some(name), Some(value)) = (name.to_str(), value.and_then(|v| v.to_str())) {
            line.push_str(&format!(" {name}='{value}'"));
        }
    }
    line.push_str(&format!(
        " TERM=xterm-256color '{}' watch --interval 200",
        env!("CARGO_BIN_EXE_colonies-edge")
    ));
    let session = Session(format!("colonies-watch-{}", std::process::id()));
    let started = Command::new("tmux")
        .args(["new-session", "-d", "-s", &session.0, "-x", "160", "-y", "40", &line])
        .status()
        .expect("tmux new-session");
    assert!(started.success());
    session.wait_for_line("colony", "0 waiting").await;

    let process = s.executor.submit_function_spec(s.spec("render", &[])).await.expect("submit");
    let short = &process.processid[..12];
    session.wait_for_line(short, "waiting").await;

    let assigned = s.executor.assign(s.colony.clone(), 5, "", "").await.expect("assign");
    session.wait_for_line(short, "running").await;
    s.executor.close_successful(assigned.processid, vec![json!("done")]).await.expect("close");
    let screen = session.wait_for_line(short, "successful").await;
    println!("{}", screen.trim_end());
    assert!(screen.contains("1 successful"));
}
