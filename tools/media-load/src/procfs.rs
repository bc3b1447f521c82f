//! Readings of a process from /proc: CPU time (whole process, and one named thread), resident
//! memory. Linux only, like the server's deployment.

use std::fs;

use anyhow::{Context, Result};

/// Clock ticks per second of /proc's CPU times (USER_HZ, 100 on every Linux Kefu targets).
const TICKS_PER_SEC: f64 = 100.0;

/// User + system CPU seconds the process has used (all its threads, living and gone).
pub fn cpu_secs(pid: u32) -> Result<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).with_context(|| format!("no process {pid}"))?;
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    let rest = stat.rsplit_once(')').context("a /proc stat line")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
    let ticks: u64 = fields.get(11).context("utime")?.parse::<u64>()? + fields.get(12).context("stime")?.parse::<u64>()?;
    Ok(ticks as f64 / TICKS_PER_SEC)
}

/// CPU seconds of the process's threads whose name starts with `prefix` (nanosecond precision),
/// summed; `None` if it has none (the media workers are `kefu-media`, or `kefu-media-N`).
pub fn thread_cpu_secs(pid: u32, prefix: &str) -> Option<f64> {
    let mut total = None;
    for task in fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        let path = task.path();
        if fs::read_to_string(path.join("comm")).is_ok_and(|c| c.trim().starts_with(prefix)) {
            let Some(ns) = fs::read_to_string(path.join("schedstat")).ok().and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            else {
                continue;
            };
            *total.get_or_insert(0.0) += ns as f64 / 1e9;
        }
    }
    total
}

/// Resident memory in MB (MiB): all of it (`VmRSS`) and the anonymous part (`RssAnon`: heap,
/// stacks), which leaves out the file-backed pages (the binary's code and data, faulted in on
/// first use whatever the load, shared and reclaimable).
#[derive(Clone, Copy, Debug)]
pub struct Rss {
    pub total_mb: f64,
    pub anon_mb: f64,
}

pub fn rss(pid: u32) -> Result<Rss> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<f64> {
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .context("no such field")?
            .parse()?;
        Ok(kb / 1024.0)
    };
    Ok(Rss { total_mb: field("VmRSS:")?, anon_mb: field("RssAnon:")? })
}

/// Datagrams the kernel dropped because the process's UDP sockets' receive buffers were full
/// (the `drops` column of /proc/net/udp, summed over the sockets the process holds).
pub fn udp_drops(pid: u32) -> Option<u64> {
    let inodes: Vec<String> = fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .flatten()
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .filter_map(|link| link.to_str()?.strip_prefix("socket:[")?.strip_suffix(']').map(str::to_string))
        .collect();
    let mut drops = 0;
    for table in ["udp", "udp6"] {
        let Ok(text) = fs::read_to_string(format!("/proc/{pid}/net/{table}")) else { continue };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
            if fields.len() >= 13 && inodes.iter().any(|i| i == fields[9]) {
                drops += fields[12].parse::<u64>().unwrap_or(0);
            }
        }
    }
    Some(drops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_can_be_read() {
        let me = std::process::id();
        assert!(cpu_secs(me).expect("cpu") >= 0.0);
        let rss = rss(me).expect("rss");
        assert!(rss.total_mb > 0.1 && rss.anon_mb > 0.0 && rss.anon_mb <= rss.total_mb, "{rss:?}");
        assert!(thread_cpu_secs(me, "no-such-thread-name").is_none());
        let _socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("a socket");
        assert_eq!(udp_drops(me), Some(0));
    }
}
