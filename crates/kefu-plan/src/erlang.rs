//! Erlang C queueing figures (M/M/c): probability of wait, service level, ASA and the fewest
//! servers that meet a service-level target. Pure arithmetic on erlangs; no I/O.

/// Offered traffic in erlangs: arrivals per second times the mean handle time in seconds.
pub fn traffic(volume: f64, interval_secs: f64, aht_secs: f64) -> f64 {
    if volume <= 0.0 || interval_secs <= 0.0 || aht_secs <= 0.0 {
        return 0.0;
    }
    volume / interval_secs * aht_secs
}

/// Erlang B blocking probability for `a` erlangs on `n` servers.
///
/// Uses the inverse recursion `1/B(n) = 1 + n/a · 1/B(n-1)`, which never overflows (no
/// factorials or powers) and loses no precision for hundreds of servers.
pub fn erlang_b(a: f64, n: u32) -> f64 {
    if a <= 0.0 {
        return if n == 0 { 1.0 } else { 0.0 };
    }
    let mut inv = 1.0_f64;
    for j in 1..=n {
        inv = 1.0 + f64::from(j) / a * inv;
    }
    1.0 / inv
}

/// Erlang C: the probability that an arrival waits, for `a` erlangs on `n` servers.
/// An unstable queue (`n <= a`) waits with certainty.
pub fn erlang_c(a: f64, n: u32) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    let nf = f64::from(n);
    if nf <= a {
        return 1.0;
    }
    let b = erlang_b(a, n);
    nf * b / (nf - a * (1.0 - b))
}

/// Share of arrivals answered within `within_secs`: `1 - C · e^{-(n-a)·t/AHT}`.
pub fn service_level(a: f64, n: u32, aht_secs: f64, within_secs: f64) -> f64 {
    if a <= 0.0 {
        return 1.0;
    }
    let nf = f64::from(n);
    if nf <= a || aht_secs <= 0.0 {
        return 0.0;
    }
    let c = erlang_c(a, n);
    (1.0 - c * (-(nf - a) * within_secs / aht_secs).exp()).clamp(0.0, 1.0)
}

/// Average speed of answer in seconds (over all arrivals, those not waiting count as 0);
/// infinite when the queue is unstable.
pub fn asa(a: f64, n: u32, aht_secs: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    let nf = f64::from(n);
    if nf <= a {
        return f64::INFINITY;
    }
    erlang_c(a, n) * aht_secs / (nf - a)
}

/// The fewest servers whose service level reaches `target` (0..1) within `within_secs`.
/// No traffic needs no server; otherwise the search starts at the first stable count
/// (`floor(a) + 1`) and climbs, because SL grows with every added server.
pub fn servers_for_service_level(a: f64, aht_secs: f64, target: f64, within_secs: f64) -> u32 {
    if a <= 0.0 {
        return 0;
    }
    // A target of 100% is never met in M/M/c; cap it so the search ends.
    let target = target.min(0.999_999);
    let mut n = a.floor() as u32 + 1;
    while service_level(a, n, aht_secs, within_secs) < target {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference: the classic worked example (Call Centre Helper, "Erlang C formula made simple"):
    // 100 calls in 30 minutes, AHT 180 s, target 80% answered in 20 s, so A = 10 erlangs.
    // The expected figures below were computed independently with exact rational arithmetic
    // (Python `fractions`: Erlang B by recursion, then C = N·B / (N − A(1 − B))), and agree to
    // the last printed digit with the reference implementation `pyworkforce` 0.5.1 (PyPI, MIT):
    // `ErlangC(transactions=100, aht=3, asa=20/60, interval=30).waiting_probability(n)`,
    // `.service_level(n)` and `.required_positions(service_level=0.8)` -> 14 (20 at 30% shrinkage).
    const A: f64 = 10.0;

    #[test]
    fn traffic_of_the_classic_example_is_ten_erlangs() {
        assert!((traffic(100.0, 1800.0, 180.0) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn probability_of_wait_matches_exact_values() {
        let expected = [
            (11, 0.682_118_204_689_332_4),
            (12, 0.449_388_224_298_270_9),
            (13, 0.285_270_453_036_493),
            (14, 0.174_131_933_595_049_8),
            (15, 0.102_042_367_007_988),
        ];
        for (n, pw) in expected {
            assert!((erlang_c(A, n) - pw).abs() < 1e-12, "N={n}: {}", erlang_c(A, n));
        }
    }

    #[test]
    fn service_level_and_asa_match_exact_values() {
        let expected = [
            (11, 0.389_613_811_729_153_3, 122.781_276_844_079_8),
            (12, 0.640_158_040_374_006_6, 40.444_940_186_844_38),
            (13, 0.795_594_788_417_783_1, 17.116_227_182_189_58),
            (14, 0.888_350_019_179_466_9, 7.835_937_011_777_243),
            (15, 0.941_452_842_869_022_3, 3.673_525_212_287_569),
        ];
        for (n, sl, w) in expected {
            assert!((service_level(A, n, 180.0, 20.0) - sl).abs() < 1e-12, "SL N={n}");
            assert!((asa(A, n, 180.0) - w).abs() < 1e-9, "ASA N={n}");
        }
    }

    #[test]
    fn classic_example_needs_fourteen_agents_for_80_in_20() {
        // 13 agents reach 79.56%, just short; 14 reach 88.84%.
        assert_eq!(servers_for_service_level(A, 180.0, 0.8, 20.0), 14);
        assert_eq!(servers_for_service_level(A, 180.0, 0.79, 20.0), 13);
    }

    #[test]
    fn a_larger_centre_matches_the_reference_implementation() {
        // pyworkforce 0.5.1: ErlangC(transactions=1000, aht=5, asa=20/60, interval=180)
        // .required_positions(service_level=0.8) -> 33 positions at SL 0.8218888441473321.
        let a = traffic(1000.0, 180.0 * 60.0, 300.0);
        assert_eq!(servers_for_service_level(a, 300.0, 0.8, 20.0), 33);
        assert!((service_level(a, 33, 300.0, 20.0) - 0.821_888_844_147_332_1).abs() < 1e-12);
    }

    #[test]
    fn erlang_b_matches_a_textbook_value() {
        // Erlang B table: 2 erlangs on 5 lines block 3.67% (exact 4/109).
        assert!((erlang_b(2.0, 5) - 4.0 / 109.0).abs() < 1e-15);
    }

    #[test]
    fn no_traffic_needs_nobody_and_unstable_queues_always_wait() {
        assert_eq!(servers_for_service_level(0.0, 180.0, 0.8, 20.0), 0);
        assert_eq!(erlang_c(10.0, 10), 1.0);
        assert_eq!(service_level(10.0, 9, 180.0, 20.0), 0.0);
        assert!(asa(10.0, 10, 180.0).is_infinite());
    }

    #[test]
    fn large_centres_stay_finite() {
        // 1,000 erlangs: factorial formulas overflow here; the recursion does not.
        let n = servers_for_service_level(1000.0, 300.0, 0.8, 20.0);
        assert!(n > 1000 && n < 1100, "{n}");
        assert!(erlang_c(1000.0, n).is_finite());
    }
}
