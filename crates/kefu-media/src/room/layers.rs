//! The room's layer allocation: each subscriber's layers from its estimate (the
//! [`crate::allocator`] decides), what is forwarded of them (only layers that arrive), the
//! probes of its estimator, and which layers each publisher must send.

use std::time::Instant;

use super::{Output, Room, PROBE_INTERVAL};
use crate::allocator::{self, Demand};
use crate::ids::{ParticipantId, TrackId};

impl Room {
    /// Choose every subscriber's layers from its estimate; announce what changed: layers,
    /// probes, and the layers each publisher must send.
    pub(super) fn allocate(&mut self, now: Instant) {
        let subscribers: Vec<ParticipantId> = self.members.keys().copied().collect();
        for subscriber in subscribers {
            let mut demands = Vec::new();
            let mut audio = 0;
            for ((_, track), ready) in self.subscriptions.range((subscriber, TrackId(0))..=(subscriber, TrackId(u64::MAX))) {
                let Some(t) = self.tracks.get(track).filter(|_| *ready) else { continue };
                if !t.kind.is_video() {
                    audio += t.layers.iter().map(|l| l.rate).sum::<u64>();
                    continue;
                }
                let current = self.wanted.get(&(subscriber, *track)).copied().flatten();
                demands.push(Demand { track: *track, kind: t.kind, rates: t.layers.iter().map(|l| l.rate).collect(), current });
            }
            let Some(member) = self.members.get_mut(&subscriber) else { continue };
            let chosen = member.budget.allocate(now, audio, &demands);
            let (minimum, desired) = allocator::probe(audio, &demands, &chosen);
            let below_top = chosen.iter().zip(&demands).any(|(c, d)| c.map_or(0, |l| usize::from(l) + 1) < d.rates.len());
            let probe_again = below_top && member.probed_at.is_none_or(|at| now >= at + PROBE_INTERVAL);
            if probe_again {
                // A rise, however small, is what makes str0m probe again.
                member.probe_nudge = (member.probe_nudge + 1) % 1_000;
            }
            let desired = desired + member.probe_nudge;
            if !demands.is_empty() && (member.probe != Some((minimum, desired)) || probe_again) {
                member.probe = Some((minimum, desired));
                member.probed_at = Some(now);
                self.outputs.push_back(Output::Probe { subscriber, minimum, desired });
            }
            for (d, wanted) in demands.iter().zip(chosen) {
                self.wanted.insert((subscriber, d.track), wanted);
                let Some(t) = self.tracks.get(&d.track) else { continue };
                // The best layer up to the wanted one that the publisher actually sends.
                let layer = wanted.and_then(|w| (0..=w).rev().find(|l| t.layers[usize::from(*l)].arriving != Some(false)));
                if self.layers.get(&(subscriber, d.track)) == Some(&layer) {
                    continue;
                }
                self.layers.insert((subscriber, d.track), layer);
                self.outputs.push_back(Output::SetLayer { subscriber, track: d.track, layer });
                if let Some(layer) = layer {
                    self.want_keyframe(now, d.track, layer);
                }
            }
        }
        self.pause_unneeded_layers();
    }

    /// A simulcast track's layers no subscriber receives are paused at the publisher, but its
    /// lowest stays on: a subscriber falling back to it switches at once. A track nobody
    /// receives yet keeps what it sends (a subscriber is about to come).
    fn pause_unneeded_layers(&mut self) {
        for (id, t) in self.tracks.iter_mut() {
            if t.layers.len() < 2 {
                continue;
            }
            let mut active: Vec<bool> = t.layers.iter().map(|l| !l.measured).collect();
            active[0] = true;
            let mut receivers = 0;
            for ((_, track), layer) in &self.wanted {
                if track == id {
                    receivers += 1;
                    if let Some(layer) = layer {
                        active[usize::from(*layer)] = true;
                    }
                }
            }
            if receivers == 0 || t.active.as_ref() == Some(&active) {
                continue;
            }
            t.active = Some(active.clone());
            self.outputs.push_back(Output::PublisherLayers { publisher: t.publisher, track: *id, active });
        }
    }
}
