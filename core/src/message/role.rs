//! Who may send a message: the Role column of protocol §4, and the transport it travels on.

/// The caller a message requires, checked against rows the server reads (protocol §3).
///
/// "Member" means an executor or a user of the colony; the colony owner and the server owner
/// are **not** members. "Approved" means an executor must be in state APPROVED (users have no
/// approval state and always count). [`crate::rules::authorization::authorize`] evaluates a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Anyone; the request is not signed (`versionmsg`, `getserverinfomsg`).
    Anyone,
    /// The server owner (spec: `server`).
    ServerOwner,
    /// The owner of the named colony (spec: `owner`).
    ColonyOwner,
    /// Any member, approved or not (spec: `member`).
    Member,
    /// An approved member (spec: `member✓`).
    ApprovedMember,
    /// An approved member or the colony owner (blueprints).
    ApprovedMemberOrOwner,
    /// An approved member that is an executor, not a user (`assignprocessmsg`).
    ApprovedExecutor,
    /// An approved member that is the process's assigned executor (spec: `member✓` + `assigned`).
    AssignedExecutor,
    /// A member that is the executor the message names (spec: `member` + `self-exec`).
    SelfExecutor,
    /// An approved member that is the executor the message names or that owns the function.
    ApprovedSelfExecutor,
    /// A member that is a user of the colony (`changeuseridmsg`).
    MemberUser,
    /// A member that is an executor of the colony (`changeexecutoridmsg`).
    MemberExecutor,
    /// An approved member that initiated the process or is its assigned executor (channels).
    ProcessParticipant,
}

/// How a message reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// A signed `POST /api` request.
    Api,
    /// An unsigned `POST /api` request, answered before signature recovery.
    Unsigned,
    /// The first frame of a `GET /pubsub` WebSocket (sent to `/api` it is refused).
    WebSocket,
}

impl Transport {
    /// The name used in `tests/fixtures/payloadtypes.txt`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Unsigned => "unsigned",
            Self::WebSocket => "websocket",
        }
    }
}
