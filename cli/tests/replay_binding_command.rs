//! Replay binding of the `colonies-edge` command: it binds every signed request by default
//! (as the Rust client it is built on does, client/tests/replay_binding.rs);
//! `--no-replay-binding`, `--replay-binding false` and `COLONIES_REPLAY_BINDING=false` send
//! unbound requests.

mod support;

use support::{Proxy, binding_of, setup};

#[tokio::test(flavor = "multi_thread")]
async fn the_command_binds_by_default_and_its_opt_outs_send_unbound_requests() {
    let s = setup("unbound-command").await;
    let proxy = Proxy::start(&s.url).await;

    // Bound by default; --no-replay-binding, --replay-binding false and
    // COLONIES_REPLAY_BINDING=false turn it off.
    let runs: [(&[&str], Option<&str>, bool); 4] = [
        (&[], None, true),
        (&["--no-replay-binding"], None, false),
        (&["--replay-binding", "false"], None, false),
        (&[], Some("false"), false),
    ];
    for (flags, env, bound) in runs {
        let before = proxy.seen("getexecutorsmsg").len();
        let mut command = s.command();
        command.args(["executor", "ls", "--json", "--server-url", &proxy.url]).args(flags);
        if let Some(value) = env {
            command.env("COLONIES_REPLAY_BINDING", value);
        }
        let output = tokio::task::spawn_blocking(move || command.output().expect("runs"))
            .await
            .expect("the command");
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let sent = proxy.seen("getexecutorsmsg");
        assert_eq!(sent.len(), before + 1);
        assert_eq!(binding_of(&sent[before]).is_some(), bound, "{flags:?} {env:?}");
    }
    // The flags are documented.
    let help = s.run(&["executor", "ls", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for words in ["--no-replay-binding", "--replay-binding", "COLONIES_REPLAY_BINDING"] {
        assert!(help.contains(words), "--help tells {words}: {help}");
    }
}
