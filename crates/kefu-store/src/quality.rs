//! Calls' quality timelines: one row per participant every few seconds, written by the server
//! as the media server reports, read back for the call's record. Portable SQL.

use crate::{Result, Store};

/// One reading of one participant's media connection.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CallQualityRow {
    /// Its call.
    pub call_id: i64,
    /// visitor | agent.
    pub side: String,
    /// When (ms since the epoch).
    pub at: i64,
    /// Bits per second received from the participant.
    pub bitrate_in_bps: i64,
    /// Bits per second sent to the participant.
    pub bitrate_out_bps: i64,
    /// Fraction of the participant's packets lost on the way in.
    pub loss_in: Option<f64>,
    /// Fraction of our packets the participant reports lost.
    pub loss_out: Option<f64>,
    /// Round-trip time.
    pub rtt_ms: Option<i64>,
    /// Bandwidth estimate towards the participant.
    pub estimate_bps: Option<i64>,
    /// The simulcast layer (rid) of the video forwarded to the participant.
    pub video_rid: Option<String>,
    /// Its frame width.
    pub video_width: Option<i64>,
    /// Its frame height.
    pub video_height: Option<i64>,
    /// Its frames per second.
    pub video_fps: Option<f64>,
    /// The layers the participant's camera arrived in, comma-separated.
    pub published_rids: Option<String>,
}

const COLUMNS: &str = "call_id, side, at, bitrate_in_bps, bitrate_out_bps, loss_in, loss_out, rtt_ms, estimate_bps, \
     video_rid, video_width, video_height, video_fps, published_rids";

impl Store {
    /// Append one reading.
    pub async fn add_call_quality(&self, q: &CallQualityRow) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query(&format!(
                "INSERT INTO call_quality ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ))
            .bind(q.call_id)
            .bind(&q.side)
            .bind(q.at)
            .bind(q.bitrate_in_bps)
            .bind(q.bitrate_out_bps)
            .bind(q.loss_in)
            .bind(q.loss_out)
            .bind(q.rtt_ms)
            .bind(q.estimate_bps)
            .bind(&q.video_rid)
            .bind(q.video_width)
            .bind(q.video_height)
            .bind(q.video_fps)
            .bind(&q.published_rids)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// A call's timeline, oldest first (both sides interleaved by time).
    pub async fn call_quality(&self, call_id: i64) -> Result<Vec<CallQualityRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM call_quality WHERE call_id = $1 ORDER BY at, id"))
                .bind(call_id)
                .fetch_all(pool)
                .await?)
        })
    }
}
