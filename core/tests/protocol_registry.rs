//! The registry covers every payloadtype the spec names, and nothing else
//! (`tests/fixtures/payloadtypes.txt`, extracted from protocol §4; see its header).
// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

extern crate alloc;

mod protocol_support;

use alloc::collections::BTreeSet;
use colonies_core::message::{
    AddColonyMsg, GetPauseStatusMsg, KindVisitor, Message, MessageKind,
    PAUSE_STATUS_REPLY_PAYLOAD_TYPE, Role, SubscribeProcessesMsg, Transport, to_payload_json,
};
use protocol_support::fixture;

fn spec_list() -> BTreeSet<(String, String)> {
    fixture("payloadtypes.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (name, transport) = line.split_once(' ').unwrap();
            (name.to_owned(), transport.to_owned())
        })
        .collect()
}

fn registry_list() -> BTreeSet<(String, String)> {
    MessageKind::ALL
        .iter()
        .map(|kind| (kind.payload_type().to_owned(), kind.transport().as_str().to_owned()))
        .collect()
}

#[test]
fn registry_equals_the_spec_list_both_ways() {
    let spec = spec_list();
    let registry = registry_list();
    let missing: Vec<_> = spec.difference(&registry).collect();
    let extra: Vec<_> = registry.difference(&spec).collect();
    assert!(missing.is_empty(), "in the spec, not in the registry: {missing:?}");
    assert!(extra.is_empty(), "in the registry, not in the spec: {extra:?}");
    assert_eq!(MessageKind::ALL.len(), 99, "no duplicates");
}

#[test]
fn counts_match_section_4_18() {
    let count = |t: Transport| MessageKind::ALL.iter().filter(|k| k.transport() == t).count();
    assert_eq!(count(Transport::Api), 94);
    assert_eq!(count(Transport::Unsigned), 2);
    assert_eq!(count(Transport::WebSocket), 3);
}

#[test]
fn lookup_by_payload_type() {
    for &kind in MessageKind::ALL {
        assert_eq!(MessageKind::from_payload_type(kind.payload_type()), Some(kind));
    }
    for unknown in [
        "",
        "nosuchmsg",
        "ADDCOLONYMSG",
        "addcolonymsg ",
        "getnodesmsg",
        "getnodemsg",
        "getnodesbylocationmsg",
        "pausestatusreplymsg",
        "error",
        "deletecolonymsg",
    ] {
        assert_eq!(MessageKind::from_payload_type(unknown), None, "{unknown:?}");
    }
}

/// Checks that a message type's constants agree with its registry entry.
struct Consistent(MessageKind);

impl KindVisitor for Consistent {
    type Output = ();

    fn visit<M: Message>(self) {
        assert_eq!(M::KIND, self.0);
        assert_eq!(M::PAYLOAD_TYPE, self.0.payload_type());
        assert_eq!(M::ROLE, self.0.role());
        assert_eq!(M::REPLY_PAYLOAD_TYPE, self.0.reply_payload_type());
        let json = to_payload_json(&M::default());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["msgtype"], M::PAYLOAD_TYPE);
    }
}

#[test]
fn message_types_agree_with_the_table() {
    for &kind in MessageKind::ALL {
        kind.visit(Consistent(kind));
    }
    assert_eq!(AddColonyMsg::PAYLOAD_TYPE, "addcolonymsg");
    assert_eq!(AddColonyMsg::ROLE, Role::ServerOwner);
}

#[test]
fn reply_payload_types() {
    assert_eq!(GetPauseStatusMsg::REPLY_PAYLOAD_TYPE, PAUSE_STATUS_REPLY_PAYLOAD_TYPE);
    assert_eq!(SubscribeProcessesMsg::REPLY_PAYLOAD_TYPE, "subscribeprocessmsg");
    let special = [MessageKind::GetPauseStatus, MessageKind::SubscribeProcesses];
    for &kind in MessageKind::ALL.iter().filter(|k| !special.contains(k)) {
        assert_eq!(kind.reply_payload_type(), kind.payload_type());
    }
}

#[test]
fn roles_follow_the_spec() {
    // Only the unsigned messages are open to anyone, and they are all open.
    for &kind in MessageKind::ALL {
        assert_eq!(
            kind.role() == Role::Anyone,
            kind.transport() == Transport::Unsigned,
            "{kind:?}"
        );
    }
    let role = |pt: &str| MessageKind::from_payload_type(pt).unwrap().role();
    for pt in [
        "getstatisticsmsg",
        "getclustermsg",
        "addcolonymsg",
        "removecolonymsg",
        "getcoloniesmsg",
        "changeserveridmsg",
    ] {
        assert_eq!(role(pt), Role::ServerOwner, "{pt}");
    }
    for pt in [
        "addexecutormsg",
        "approveexecutormsg",
        "rejectexecutormsg",
        "removeexecutormsg",
        "addusermsg",
        "removeusermsg",
        "removeallprocessesmsg",
        "pauseassignmentsmsg",
        "resumeassignmentsmsg",
        "removeallprocessgraphsmsg",
        "changecolonyidmsg",
        "addlocationmsg",
        "removelocationmsg",
        "addblueprintdefinitionmsg",
        "removeblueprintdefinitionmsg",
    ] {
        assert_eq!(role(pt), Role::ColonyOwner, "{pt}");
    }
    for pt in [
        "getexecutorsmsg",
        "getusersmsg",
        "getusermsg",
        "getuserbyidmsg",
        "getpausestatusmsg",
        "getlocationsmsg",
        "getlocationmsg",
    ] {
        assert_eq!(role(pt), Role::Member, "{pt}");
    }
    for pt in [
        "closesuccessfulmsg",
        "closefailedmsg",
        "setoutputmsg",
        "addattributemsg",
        "addlogmsg",
        "addchildmsg",
    ] {
        assert_eq!(role(pt), Role::AssignedExecutor, "{pt}");
    }
    assert_eq!(role("assignprocessmsg"), Role::ApprovedExecutor);
    assert_eq!(role("reportallocationmsg"), Role::SelfExecutor);
    assert_eq!(role("updateexecutormsg"), Role::SelfExecutor);
    assert_eq!(role("addfunctionmsg"), Role::ApprovedSelfExecutor);
    assert_eq!(role("changeuseridmsg"), Role::MemberUser);
    assert_eq!(role("changeexecutoridmsg"), Role::MemberExecutor);
    assert_eq!(role("channelappendmsg"), Role::ProcessParticipant);
    assert_eq!(role("getblueprintmsg"), Role::ApprovedMemberOrOwner);
    assert_eq!(role("submitfuncspecmsg"), Role::ApprovedMember);
}
