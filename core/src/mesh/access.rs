//! Who may do what to the mesh: our enforcement of roles and security policies (CryptoMesh
//! stores them and checks nothing).
//!
//! The rules are on [`Access`].

use super::{Role, SecurityPolicy};
use alloc::string::String;
use core::{fmt, str::FromStr};
use serde::{Deserialize, Serialize};

/// What a request needs, as roles list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// `catalog:read`: list and get any record.
    #[serde(rename = "catalog:read")]
    CatalogRead,
    /// `catalog:write`: create, change and delete services, microservices, functions,
    /// endpoints, states and results.
    #[serde(rename = "catalog:write")]
    CatalogWrite,
    /// `policy:write`: create, change and delete security policies and roles.
    #[serde(rename = "policy:write")]
    PolicyWrite,
    /// `function:invoke`: run a function on its endpoint.
    #[serde(rename = "function:invoke")]
    FunctionInvoke,
}

impl Permission {
    /// Every permission; what `*` in a role grants.
    pub const ALL: [Self; 4] =
        [Self::CatalogRead, Self::CatalogWrite, Self::PolicyWrite, Self::FunctionInvoke];

    /// The wire name: `catalog:read`, …
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CatalogRead => "catalog:read",
            Self::CatalogWrite => "catalog:write",
            Self::PolicyWrite => "policy:write",
            Self::FunctionInvoke => "function:invoke",
        }
    }

    /// Whether a role's permission names grant this one: its own name or `*`. Other names
    /// (CryptoMesh's free-form `read`, `execute`…) grant nothing.
    pub fn granted_by<S: AsRef<str>>(self, permissions: &[S]) -> bool {
        permissions.iter().map(AsRef::as_ref).any(|name| name == "*" || name == self.as_str())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = UnknownPermission;

    /// Reads one wire name (`*` names all of them, so it is not one: see [`Self::ALL`]).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| UnknownPermission(name.into()))
    }
}

/// A permission name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPermission(pub String);

impl fmt::Display for UnknownPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown permission '{}'", self.0)
    }
}

impl core::error::Error for UnknownPermission {}

/// Why [`Access::check`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 401: an anonymous caller where the mesh needs to know who asks; `policy` is the
    /// guarding policy's id, or `None` for the colony's private catalog.
    AuthenticationRequired {
        /// The policy that requires authentication, if any.
        policy: Option<String>,
    },
    /// 403: no role the caller may act as grants the permission.
    Forbidden {
        /// The permission needed.
        needed: Permission,
        /// The guarding policy's id, if any.
        policy: Option<String>,
    },
}

impl Refusal {
    /// The HTTP status: 401 or 403.
    pub const fn status(&self) -> u16 {
        match self {
            Self::AuthenticationRequired { .. } => 401,
            Self::Forbidden { .. } => 403,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AuthenticationRequired { policy: Some(policy) } => {
                write!(
                    f,
                    "authentication required: security policy '{policy}' refuses anonymous callers"
                )
            }
            Self::AuthenticationRequired { policy: None } => {
                f.write_str("authentication required: the colony's mesh is private to its members")
            }
            Self::Forbidden { needed, policy: Some(policy) } => {
                write!(
                    f,
                    "access denied: no role of security policy '{policy}' that you may act as grants {needed}"
                )
            }
            Self::Forbidden { needed, policy: None } => {
                write!(f, "access denied: you hold no role in this colony that grants {needed}")
            }
        }
    }
}

impl core::error::Error for Refusal {}

/// Who is asking, in which colony: everything [`Access::check`] needs but the record.
///
/// A colony's roles bind [`Permission`]s to members (Colonies IDs). A request needs one
/// permission; the record it touches may be guarded by a [`SecurityPolicy`]. [`Access::check`]
/// decides from facts the server has already read, with these rules in this order:
///
/// 1. The colony owner may do everything.
/// 2. Without a policy the mesh is private to the colony: an anonymous caller is refused (401).
/// 3. An anonymous caller is refused (401) everywhere but reading what a policy without
///    authentication (`requires_authentication: false`) guards.
/// 4. Some role must grant the permission: with a policy, a role the policy names; without
///    one, any role of the colony. The caller must be a member of the colony and of that
///    role, except for
///    reading what a policy without authentication guards: then the policy's roles are open
///    to every caller. Otherwise the caller is refused (403).
///
/// Role names are matched exactly, and every role of a listed name counts; caller and member
/// IDs are compared as lower-case hex text.
///
/// So a policy without authentication makes what it guards publicly readable (when one of its
/// roles grants reading), never publicly writable or invocable; an identified caller never has
/// less access than an anonymous one.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// The caller's Colonies ID (64 lower-case hex digits), or `None` when anonymous.
    pub caller: Option<&'a str>,
    /// Whether the caller owns the colony (ignored for an anonymous caller).
    pub colony_owner: bool,
    /// Whether the caller is a member of the colony (a user or an approved executor of it):
    /// roles name members, and someone removed from the colony holds none of them.
    pub member: bool,
    /// The colony's roles.
    pub roles: &'a [Role],
}

impl Access<'_> {
    /// Whether the caller may use `needed` on a record `guard`ed by a policy (or by none);
    /// the rules are those of [`Access`].
    pub fn check(&self, needed: Permission, guard: Option<&SecurityPolicy>) -> Result<(), Refusal> {
        let policy = || guard.map(|p| p.sp_id.clone());
        // 1. The colony owner may do everything.
        if self.caller.is_some() && self.colony_owner {
            return Ok(());
        }
        // 2 and 3. A policy without authentication opens what it guards for reading only:
        //    anonymous callers may read it (through a role the policy names that grants
        //    reading); changing or invoking it always takes a role the caller holds.
        let open =
            needed == Permission::CatalogRead && guard.is_some_and(|p| !p.requires_authentication);
        if self.caller.is_none() && !open {
            return Err(Refusal::AuthenticationRequired { policy: policy() });
        }
        // 4. A role the policy names (any role without a policy), held by the caller unless
        //    the policy is open, must grant the permission.
        let named = |role: &&Role| guard.is_none_or(|p| p.roles.contains(&role.name));
        let held = |role: &&Role| {
            open || (self.member
                && self.caller.is_some_and(|c| role.members.iter().any(|m| m == c)))
        };
        if self
            .roles
            .iter()
            .filter(named)
            .filter(held)
            .any(|role| needed.granted_by(&role.permissions))
        {
            Ok(())
        } else {
            Err(Refusal::Forbidden { needed, policy: policy() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;
    use alloc::{string::ToString, vec, vec::Vec};

    const OWNER: &str = "0000000000000000000000000000000000000000000000000000000000000001";
    const ALICE: &str = "00000000000000000000000000000000000000000000000000000000000000a1";
    const BOB: &str = "00000000000000000000000000000000000000000000000000000000000000b0";

    /// A case: name, caller, colony owner?, the colony's roles, needed, guard, status (0 = allowed).
    type Case<'a> =
        (&'a str, Option<&'a str>, bool, &'a [Role], Permission, Option<&'a SecurityPolicy>, u16);

    fn role(name: &str, permissions: &[&str], members: &[&str]) -> Role {
        Role {
            role_id: name.into(),
            name: name.into(),
            description: String::new(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            members: members.iter().map(|m| m.to_string()).collect(),
        }
    }

    fn policy(roles: &[&str], requires_authentication: bool) -> SecurityPolicy {
        SecurityPolicy {
            sp_id: "sp1".into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            requires_authentication,
        }
    }

    #[test]
    fn wire_names() {
        for p in Permission::ALL {
            assert_eq!(p.as_str().parse::<Permission>(), Ok(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert!("*".parse::<Permission>().is_err());
        assert!("read".parse::<Permission>().is_err());
        assert!(CatalogRead.granted_by(&["*"]));
        assert!(!CatalogRead.granted_by(&["read", "catalog:write", "Catalog:Read"]));
        assert!(!CatalogRead.granted_by::<&str>(&[]));
    }

    /// Every combination that matters. Alice is an analyst (reads and invokes), Bob an operator
    /// (writes the catalog); `root` (`*`) has no members; `ghost` is named by a policy but
    /// does not exist.
    #[test]
    fn rules() {
        let roles = vec![
            role("analyst", &["catalog:read", "function:invoke", "read"], &[ALICE]),
            role("operator", &["catalog:write"], &[BOB]),
            role("root", &["*"], &[]),
        ];
        let wildcard = vec![role("admin", &["*"], &[BOB])];
        let none: Vec<Role> = Vec::new();
        let analysts_auth = policy(&["analyst"], true);
        let analysts_open = policy(&["analyst"], false);
        let operators_auth = policy(&["operator", "ghost"], true);
        let ghosts_open = policy(&["ghost"], false);
        let root_open = policy(&["root"], false);
        let admin_auth = policy(&["admin"], true);
        const OK: u16 = 0;

        #[rustfmt::skip]
        let table: &[Case] = &[
            // the owner: everything, whatever the policy, even without roles
            ("owner, no policy",           Some(OWNER), true,  &none,     PolicyWrite,    None,                   OK),
            ("owner, auth policy",         Some(OWNER), true,  &roles,    CatalogWrite,   Some(&analysts_auth),   OK),
            ("owner flag without caller",  None,        true,  &roles,    CatalogRead,    None,                   401),
            // no policy: any held role granting the permission
            ("member with role",           Some(ALICE), false, &roles,    CatalogRead,    None,                   OK),
            ("member, role lacks perm",    Some(ALICE), false, &roles,    CatalogWrite,   None,                   403),
            ("role lacks perm: policy",    Some(ALICE), false, &roles,    PolicyWrite,    None,                   403),
            ("other member's role",        Some(BOB),   false, &roles,    FunctionInvoke, None,                   403),
            ("member via *",               Some(BOB),   false, &wildcard, PolicyWrite,    None,                   OK),
            ("no roles at all",            Some(ALICE), false, &none,     CatalogRead,    None,                   403),
            ("anonymous, no policy",       None,        false, &roles,    CatalogRead,    None,                   401),
            // policy requiring authentication: a held role it names, granting the permission
            ("listed role, granted",       Some(ALICE), false, &roles,    FunctionInvoke, Some(&analysts_auth),   OK),
            ("listed role, not granted",   Some(ALICE), false, &roles,    CatalogWrite,   Some(&analysts_auth),   403),
            ("granted by unlisted role",   Some(BOB),   false, &roles,    CatalogWrite,   Some(&analysts_auth),   403),
            ("listed, granted (2 listed)", Some(BOB),   false, &roles,    CatalogWrite,   Some(&operators_auth),  OK),
            ("listed * role",              Some(BOB),   false, &wildcard, FunctionInvoke, Some(&admin_auth),      OK),
            ("listed * role, not member",  Some(ALICE), false, &wildcard, CatalogRead,    Some(&admin_auth),      403),
            ("anonymous, auth policy",     None,        false, &roles,    CatalogRead,    Some(&analysts_auth),   401),
            // policy waiving authentication: its roles are open to everyone
            ("anonymous, open, granted",   None,        false, &roles,    CatalogRead,    Some(&analysts_open),   OK),
            ("anonymous, open, write",     None,        false, &roles,    CatalogWrite,   Some(&analysts_open),   401),
            ("non-member, open, invoke",   Some(BOB),   false, &roles,    FunctionInvoke, Some(&analysts_open),   403),
            ("non-member, open, read",     Some(BOB),   false, &roles,    CatalogRead,    Some(&analysts_open),   OK),
            ("member, open, not granted",  Some(ALICE), false, &roles,    CatalogWrite,   Some(&analysts_open),   403),
            ("open, unknown role name",    None,        false, &roles,    CatalogRead,    Some(&ghosts_open),     403),
            ("open, listed * role, write", None,        false, &roles,    PolicyWrite,    Some(&root_open),       401),
            ("open, listed * role, read",  None,        false, &roles,    CatalogRead,    Some(&root_open),       OK),
        ];
        for (case, caller, colony_owner, roles, needed, guard, want) in table {
            let access =
                Access { caller: *caller, colony_owner: *colony_owner, member: true, roles };
            let got = access.check(*needed, *guard).map_or_else(|r| r.status(), |()| OK);
            assert_eq!(got, *want, "{case}");
        }
    }

    /// Someone removed from the colony keeps their name in roles and holds none of them; what
    /// a policy opens to everyone stays open to them.
    #[test]
    fn a_removed_member_holds_no_role() {
        let roles = [role("analyst", &["catalog:read", "function:invoke"], &[ALICE])];
        let removed =
            Access { caller: Some(ALICE), colony_owner: false, member: false, roles: &roles };
        assert_eq!(removed.check(CatalogRead, None).map_err(|r| r.status()), Err(403));
        let auth = policy(&["analyst"], true);
        assert_eq!(removed.check(FunctionInvoke, Some(&auth)).map_err(|r| r.status()), Err(403));
        let open = policy(&["analyst"], false);
        assert_eq!(removed.check(CatalogRead, Some(&open)), Ok(()));
        assert_eq!(removed.check(FunctionInvoke, Some(&open)).map_err(|r| r.status()), Err(403));
        let current = Access { member: true, ..removed };
        assert_eq!(current.check(FunctionInvoke, Some(&auth)), Ok(()));
    }

    #[test]
    fn refusals_say_why() {
        let roles = [role("analyst", &["catalog:read"], &[ALICE])];
        let access = Access { caller: None, colony_owner: false, member: true, roles: &roles };
        let refusal = access.check(CatalogRead, Some(&policy(&["analyst"], true))).unwrap_err();
        assert_eq!(refusal, Refusal::AuthenticationRequired { policy: Some("sp1".into()) });
        assert!(refusal.to_string().contains("'sp1'"));
        let access = Access { caller: Some(ALICE), ..access };
        let refusal = access.check(PolicyWrite, None).unwrap_err();
        assert_eq!(refusal, Refusal::Forbidden { needed: PolicyWrite, policy: None });
        assert!(refusal.to_string().contains("policy:write"));
        let error = crate::mesh::ApiError::from(refusal);
        assert_eq!((error.status(), error.detail.message.contains("policy:write")), (403, true));
    }
}
