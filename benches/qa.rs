//! How long the automatic QA check of one closed conversation takes: a long chat (200 lines,
//! Chinese and English) against ten rules like the starter set, with a hundred forbidden words.
//! Run with `cargo bench -p kefu-core --bench qa` (add `-- --quick` for a fast pass).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kefu_core::qa::{inspect, Check, Line, Rule, Side, Transcript};

fn transcript() -> Transcript {
    let texts = [
        "您好，请问有什么可以帮您？",
        "我的信用卡被冻结了，怎么办",
        "请稍等，我帮您查询一下账户状态",
        "Thanks, the card works again",
        "好的再见",
    ];
    let lines = (0..200)
        .map(|i| Line {
            id: i,
            side: if i % 2 == 0 { Side::Customer } else { Side::Agent },
            at: i * 20_000,
            text: texts[i as usize % texts.len()].into(),
        })
        .collect();
    Transcript { lines, assigned_at: Some(0), closed_at: 200 * 20_000, transfers: 1, wrap_up: Some("resolved".into()), csat: Some(4) }
}

fn rules() -> Vec<Rule> {
    let words: Vec<String> = (0..100).map(|i| format!("禁用词{i}")).chain(["你自己看着办".to_string(), "stupid".to_string()]).collect();
    let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let checks = vec![
        Check::ForbiddenWords { words },
        Check::Greeting { phrases: p(&["您好", "你好", "hello"]), within: 2 },
        Check::Closing { phrases: p(&["再见", "感谢", "bye"]), within: 2 },
        Check::FirstResponse { limit_secs: 60 },
        Check::ResponseTime { limit_secs: 90 },
        Check::LongSilence { limit_secs: 180 },
        Check::SupervisorRequest { phrases: p(&["投诉", "找你们领导", "supervisor", "complain"]) },
        Check::Transfers { max: 2 },
        Check::WrapUpMissing,
        Check::LowCsat { at_most: 2 },
    ];
    checks.into_iter().enumerate().map(|(i, check)| Rule { id: i as i64, weight: 5, heavy: false, check }).collect()
}

fn bench(c: &mut Criterion) {
    let (t, r) = (transcript(), rules());
    c.bench_function("qa_inspect_200_lines_10_rules", |b| b.iter(|| inspect(black_box(&t), black_box(&r))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
