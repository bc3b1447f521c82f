use proptest::prelude::*;
use std::sync::LazyLock;

use super::*;

static SCORER: LazyLock<Scorer> = LazyLock::new(Scorer::new);

fn score(text: &str) -> Sentiment {
    SCORER.score(text)
}

#[test]
fn language_is_detected_per_message() {
    assert_eq!(detect("你好，我的订单还没到"), Lang::Zh);
    assert_eq!(detect("iPhone 屏幕坏了"), Lang::Zh);
    assert_eq!(detect("My order has not arrived"), Lang::En);
    assert_eq!(detect("order 123 没到"), Lang::Zh);
    assert_eq!(detect("😡😡"), Lang::En);
    assert_eq!(detect(""), Lang::En);
}

#[test]
fn english_angry_and_happy_messages() {
    let angry = score("This is terrible service, I am furious and I want a refund NOW!");
    assert_eq!(angry.lang, Lang::En);
    assert!(angry.score <= -0.5, "{angry:?}");
    let happy = score("Thank you so much, that was really helpful!");
    assert!(happy.score >= 0.5, "{happy:?}");
    let plain = score("My order number is 12345");
    assert!(plain.score.abs() < 0.2, "{plain:?}");
    assert!(score("not good at all").score < 0.0, "negation");
}

#[test]
fn chinese_angry_and_happy_messages() {
    let angry = score("太差劲了！等了这么久还没解决，垃圾服务，我要投诉！");
    assert_eq!(angry.lang, Lang::Zh);
    assert!(angry.score <= -0.5, "{angry:?}");
    let happy = score("非常感谢，服务很好，很满意！");
    assert_eq!(happy.lang, Lang::Zh);
    assert!(happy.score >= 0.3, "{happy:?}");
    assert!(score("质量太差，很失望").score < -0.2);
}

#[test]
fn chinese_neutral_question_is_not_strongly_negative() {
    for q in ["你好", "请问怎么修改收货地址？", "我想咨询一下会员的问题"] {
        let s = score(q);
        assert!(s.score > mood::RAISE_AT, "{q}: {s:?}");
    }
}

#[test]
fn one_alert_per_episode_until_recovery() {
    let mut book = MoodBook::default();
    assert_eq!(book.observe(1, 0.2), None);
    assert!(matches!(book.observe(1, -0.9), Some(MoodChange::Raised { conversation: 1, .. })));
    assert_eq!(book.observe(1, -0.8), None, "still angry: no second alert");
    assert_eq!(book.observe(1, -0.3), None, "better, not yet recovered");
    assert!(matches!(book.observe(1, 0.6), Some(MoodChange::Cleared { conversation: 1, .. })));
    assert!(matches!(book.observe(1, -0.95), Some(MoodChange::Raised { .. })), "a new episode alerts again");
    assert!(book.forget(1));
    assert!(!book.forget(1));
}

#[test]
fn a_mildly_negative_customer_does_not_alert() {
    let mut book = MoodBook::default();
    for s in [-0.3, -0.2, -0.4, -0.3] {
        assert_eq!(book.observe(7, s), None);
    }
}

#[test]
fn the_first_message_alone_can_alert() {
    let mut book = MoodBook::default();
    assert!(matches!(book.observe(3, -0.7), Some(MoodChange::Raised { .. })));
}

#[test]
fn restored_alerts_are_not_raised_twice() {
    let mut book = MoodBook::default();
    book.restore(4, -0.8);
    assert_eq!(book.observe(4, -0.9), None);
    assert!(book.mood(4).is_some_and(|m| m.alerted));
}

#[test]
fn a_trained_table_round_trips_and_separates_its_classes() {
    let zh = SCORER.chinese();
    let table =
        zh::train(zh, &["很好 满意", "喜欢 很好"], &["很差 失望", "失望 垃圾"], &["垃圾"], zh::Pruning { min_count: 1, min_weight: 0.0 });
    let text: String = table.iter().map(|(w, v)| format!("{w}\t{v}\n")).collect();
    let fresh = zh::Chinese::with_weights(zh::parse(&text));
    assert!(fresh.score("很好") > 0.0);
    assert!(fresh.score("失望") < 0.0);
    assert_eq!(fresh.score("垃圾"), 0.0, "a neutral word is not weighed");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn any_text_scores_in_range(text in "\\PC{0,60}") {
        let s = score(&text);
        prop_assert!((-1.0..=1.0).contains(&s.score));
    }

    #[test]
    fn english_words_and_punctuation_score_in_range(text in "[a-zA-Z !?.,']{0,80}") {
        let s = score(&text);
        prop_assert!((-1.0..=1.0).contains(&s.score));
    }
}

#[test]
fn an_organisations_thresholds_move_when_alerts_rise_and_clear() {
    let mut book = MoodBook::default();
    book.set_thresholds(Thresholds::new(-0.25, 0.2).unwrap());
    assert!(matches!(book.observe(3, -0.3), Some(MoodChange::Raised { .. })), "-0.3 alerts at -0.25");
    assert_eq!(book.observe(3, 0.1), None, "trend -0.06: not yet at the clear level 0.2");
    assert!(matches!(book.observe(3, 0.9), Some(MoodChange::Cleared { .. })));
    assert!(Thresholds::new(-0.5, -0.5).is_err(), "clear must be above alert");
    assert!(Thresholds::new(0.1, 0.5).is_err(), "alert is a negative mood");
    assert!(Thresholds::new(-0.5, 1.5).is_err());
    assert!(Thresholds::new(f64::NAN, 0.0).is_err());
}
