//! Namespaces: their kinds and names, where new issues go (routing), and
//! which namespaces a command reads together.
//!
//! | ref | kind |
//! |---|---|
//! | `refs/beads/heads/<branch>` | issues of a code branch; the canonical branch's are the project's |
//! | `refs/beads/planning/<project>` | a contributor's private planning (synced with a planning remote) |
//! | `refs/beads/proposals/<name>` | issues offered to the canonical namespace |
//! | `refs/beads/rejected/<name>` | a rejected proposal, with the reason |
//! | `refs/beads/remotes/<remote>/...` | what was fetched from a remote |

use super::{Error, REF_ROOT, Result, Store};

/// A namespace: the full name of its ref.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Namespace(String);

/// What a namespace holds, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind<'a> {
    Branch(&'a str),
    Planning(&'a str),
    Proposal(&'a str),
    Rejected(&'a str),
    /// A tracking ref: `remotes/<remote>/<rest>`.
    Tracking {
        remote: &'a str,
        rest: &'a str,
    },
    Other(&'a str),
}

impl Namespace {
    /// The namespace of a code branch: `refs/beads/heads/<branch>`.
    pub fn branch(branch: &str) -> Result<Namespace> {
        Namespace::from_ref(&format!("{REF_ROOT}heads/{branch}")).map_err(|_| Error::BadNamespace(format!("heads/{branch}")))
    }

    /// A planning namespace: `refs/beads/planning/<name>`.
    pub fn planning(name: &str) -> Result<Namespace> {
        Namespace::from_ref(&format!("{REF_ROOT}planning/{name}"))
    }

    /// A proposal: `refs/beads/proposals/<name>`.
    pub fn proposal(name: &str) -> Result<Namespace> {
        Namespace::from_ref(&format!("{REF_ROOT}proposals/{name}"))
    }

    /// A namespace from a full ref name under `refs/beads/`.
    pub fn from_ref(name: &str) -> Result<Namespace> {
        let rest = name.strip_prefix(REF_ROOT).unwrap_or("");
        if rest.is_empty() || gix::refs::FullName::try_from(name).is_err() || name.ends_with('/') || rest.split('/').any(str::is_empty) {
            return Err(Error::BadNamespace(name.to_string()));
        }
        Ok(Namespace(name.to_string()))
    }

    /// What a person typed for `--ns`: a full ref (`refs/beads/...`), a
    /// short name with its kind (`heads/x`, `planning/x`, `proposals/x`,
    /// `remotes/origin/heads/x`), or a branch name (`feature/login`).
    pub fn parse_user(s: &str) -> Result<Namespace> {
        let s = s.trim();
        if s.starts_with(REF_ROOT) {
            return Namespace::from_ref(s);
        }
        let kinds = ["heads/", "planning/", "proposals/", "rejected/", "remotes/"];
        if kinds.iter().any(|k| s.starts_with(k)) {
            return Namespace::from_ref(&format!("{REF_ROOT}{s}"));
        }
        Namespace::branch(s)
    }

    /// The full ref name.
    pub fn refname(&self) -> &str {
        &self.0
    }

    /// The name without `refs/beads/` (`heads/main`).
    pub fn short(&self) -> &str {
        &self.0[REF_ROOT.len()..]
    }

    /// What this namespace holds.
    pub fn kind(&self) -> Kind<'_> {
        let s = self.short();
        if let Some(b) = s.strip_prefix("heads/") {
            Kind::Branch(b)
        } else if let Some(p) = s.strip_prefix("planning/") {
            Kind::Planning(p)
        } else if let Some(p) = s.strip_prefix("proposals/") {
            Kind::Proposal(p)
        } else if let Some(p) = s.strip_prefix("rejected/") {
            Kind::Rejected(p)
        } else if let Some((remote, rest)) = s.strip_prefix("remotes/").and_then(|r| r.split_once('/')) {
            Kind::Tracking { remote, rest }
        } else {
            Kind::Other(s)
        }
    }
}

impl std::fmt::Display for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where new issues go when no `--ns` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Routing {
    /// The current branch's namespace (the canonical one on the canonical branch).
    Branch,
    /// Always the canonical namespace.
    Canonical,
    /// The planning namespace (a contributor's setup).
    Planning,
}

impl Store {
    /// The branch HEAD is on, if it is on one.
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo().head_name().ok().flatten()?;
        head.as_bstr().to_string().strip_prefix("refs/heads/").map(str::to_string)
    }

    /// This project's name in qualified IDs and planning repositories:
    /// `beads.project`, else the last path component (without `.git`) of the
    /// URL of `upstream` (a fork's original) or `origin`, else the prefix.
    pub fn project(&self) -> String {
        if let Some(p) = &self.settings().project {
            return p.clone();
        }
        let cfg = self.repo().config_snapshot();
        let from_url = |remote: &str| {
            cfg.string(format!("remote.{remote}.url").as_str()).and_then(|u| {
                let u = u.to_string();
                let last = u.trim_end_matches('/').rsplit(['/', ':']).next()?.trim_end_matches(".git").to_string();
                (!last.is_empty() && last.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))).then_some(last)
            })
        };
        from_url("upstream").or_else(|| from_url("origin")).unwrap_or_else(|| self.prefix())
    }

    /// How new issues are routed (`beads.routing`; `planning` when a
    /// planning namespace is configured and no routing is).
    pub fn routing(&self) -> Routing {
        match self.settings().routing.as_deref() {
            Some("canonical") => Routing::Canonical,
            Some("planning") => Routing::Planning,
            Some(_) => Routing::Branch,
            None if self.settings().planning.is_some() => Routing::Planning,
            None => Routing::Branch,
        }
    }

    /// Whether this clone never writes `ns` (`beads.<ns>.readonly`, which
    /// `init --contributor` sets for the canonical namespace: it follows
    /// upstream, and work goes upstream by `propose`).
    pub fn is_readonly(&self, ns: &Namespace) -> bool {
        self.repo().config_snapshot().boolean(format!("beads.{}.readonly", ns.short()).as_str()).unwrap_or(false)
    }

    /// Why no command may write `ns`, if none may: a namespace that sync,
    /// propose or accept own (a tracking ref is replaced by every fetch; a
    /// proposal or a rejection is removed once answered, and whatever was
    /// written there with it), or one this clone is configured not to write.
    pub fn write_refusal(&self, ns: &Namespace) -> Option<Error> {
        let owner = match ns.kind() {
            Kind::Tracking { remote, .. } => Some(format!("it mirrors what {remote} has; every fetch replaces it")),
            Kind::Proposal(_) => Some("it is a proposal: `propose` writes it, and it goes away once answered".to_string()),
            Kind::Rejected(_) => Some("it records a rejected proposal".to_string()),
            Kind::Other(_) => Some("it is not a namespace git-beads writes (heads/, planning/)".to_string()),
            Kind::Branch(_) | Kind::Planning(_) => None,
        };
        if let Some(why) = owner {
            return Some(Error::NotWritable { namespace: ns.to_string(), why });
        }
        self.is_readonly(ns).then(|| Error::ReadOnly { namespace: ns.to_string() })
    }

    /// An existing namespace whose ref would clash with creating `ns`
    /// (`heads/a` against `heads/a/b`, either way round).
    pub fn clash(&self, ns: &Namespace) -> Result<Option<Namespace>> {
        let me = ns.refname();
        Ok(self.namespaces()?.into_iter().find(|other| {
            let o = other.refname();
            o != me && (me.starts_with(&format!("{o}/")) || o.starts_with(&format!("{me}/")))
        }))
    }

    /// Whether code branch `branch` exists here or on a remote this clone
    /// fetched (`refs/heads/<b>` or `refs/remotes/<remote>/<b>`).
    pub fn branch_exists(&self, branch: &str) -> bool {
        let repo = self.repo();
        if repo.try_find_reference(format!("refs/heads/{branch}").as_str()).ok().flatten().is_some() {
            return true;
        }
        let Ok(refs) = repo.references() else { return false };
        let Ok(remotes) = refs.prefixed("refs/remotes/") else { return false };
        remotes.flatten().any(|r| {
            let name = r.name().as_bstr().to_string();
            // refs/remotes/<remote>/<branch>, the remote name without slashes.
            name.strip_prefix("refs/remotes/").and_then(|rest| rest.split_once('/')).is_some_and(|(_, b)| b == branch)
        })
    }

    /// The planning namespace, when this clone is set up for a contributor.
    pub fn planning_namespace(&self) -> Option<Namespace> {
        self.settings().planning.as_deref().and_then(|p| Namespace::parse_user(p).ok())
    }

    /// The namespace new issues go to without `--ns`.
    pub fn write_target(&self) -> Result<Namespace> {
        let canonical = self.canonical()?;
        match self.routing() {
            Routing::Canonical => Ok(canonical),
            Routing::Planning => self.planning_namespace().ok_or_else(|| Error::Config {
                key: "beads.planning".into(),
                value: self.settings().planning.clone().unwrap_or_default(),
                reason: "beads.routing is planning, so it must name a planning namespace (planning/<project>)".into(),
            }),
            Routing::Branch => match self.current_branch() {
                Some(b) if b != self.canonical_branch() => Namespace::branch(&b),
                _ => Ok(canonical),
            },
        }
    }

    /// The namespaces views read by default, current context first: the
    /// current branch's (when not the canonical branch), the canonical one,
    /// and the planning one when configured.
    pub fn view_namespaces(&self) -> Result<Vec<Namespace>> {
        let canonical = self.canonical()?;
        let mut out = Vec::new();
        if let Some(b) = self.current_branch()
            && b != self.canonical_branch()
            && let Ok(ns) = Namespace::branch(&b)
        {
            out.push(ns);
        }
        out.push(canonical);
        if let Some(p) = self.planning_namespace()
            && !out.contains(&p)
        {
            out.push(p);
        }
        Ok(out)
    }

    /// Every local namespace that holds issues (branches and planning),
    /// canonical first.
    pub fn issue_namespaces(&self) -> Result<Vec<Namespace>> {
        let canonical = self.canonical()?;
        let mut out = vec![canonical.clone()];
        for ns in self.namespaces()? {
            if matches!(ns.kind(), Kind::Branch(_) | Kind::Planning(_)) && ns != canonical {
                out.push(ns);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_user_names() {
        assert_eq!(Namespace::parse_user("feature/login").unwrap().refname(), "refs/beads/heads/feature/login");
        assert_eq!(Namespace::parse_user("heads/main").unwrap().refname(), "refs/beads/heads/main");
        assert_eq!(Namespace::parse_user("planning/proj").unwrap().kind(), Kind::Planning("proj"));
        assert_eq!(Namespace::parse_user("refs/beads/proposals/alice/x").unwrap().kind(), Kind::Proposal("alice/x"));
        assert_eq!(
            Namespace::parse_user("remotes/origin/heads/main").unwrap().kind(),
            Kind::Tracking { remote: "origin", rest: "heads/main" }
        );
        for bad in ["bad..name", "x.lock", "a b", "", "heads/", "x//y"] {
            assert!(Namespace::parse_user(bad).is_err(), "{bad:?}");
        }
    }
}
