//! Properties of the Erlang C staffing search: more agents never do worse, and the count
//! returned is the minimum that meets the target.

use kefu_plan::erlang::{asa, erlang_c, servers_for_service_level, service_level};
use kefu_plan::staffing::{staff_interval, IntervalLoad, Target};
use proptest::prelude::*;

proptest! {
    #[test]
    fn more_agents_never_lower_service_level(a in 0.1f64..200.0, aht in 10.0f64..1200.0, t in 0.0f64..120.0, extra in 0u32..50) {
        let n = a.floor() as u32 + 1 + extra;
        prop_assert!(service_level(a, n + 1, aht, t) >= service_level(a, n, aht, t) - 1e-12);
        prop_assert!(erlang_c(a, n + 1) <= erlang_c(a, n) + 1e-12);
        prop_assert!(asa(a, n + 1, aht) <= asa(a, n, aht) + 1e-9);
    }

    #[test]
    fn required_is_minimal(a in 0.1f64..300.0, aht in 10.0f64..1200.0, sl in 0.5f64..0.99, t in 1.0f64..120.0) {
        let n = servers_for_service_level(a, aht, sl, t);
        prop_assert!(service_level(a, n, aht, t) >= sl);
        prop_assert!(service_level(a, n - 1, aht, t) < sl);
    }

    #[test]
    fn chat_requirement_is_minimal_in_whole_agents(volume in 1.0f64..2000.0, aht in 30.0f64..1800.0, k in 1u32..6, sl in 0.5f64..0.95) {
        let target = Target { service_level: sl, within_secs: 30.0 };
        let s = staff_interval(IntervalLoad { volume, aht_secs: aht }, 1800.0, target, k, 0.0);
        let a = s.erlangs;
        prop_assert!(service_level(a, s.required * k, aht, 30.0) >= sl);
        prop_assert!(service_level(a, (s.required - 1) * k, aht, 30.0) < sl);
    }
}
