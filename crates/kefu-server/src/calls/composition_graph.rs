//! The ffmpeg filter graph of a call's composition, as a pure function of its files: every file
//! of each side laid on one timeline at its true time (its time zero's offset from the earliest
//! file's), the agent left and the visitor right, black where a side has no picture (before its
//! first file, between files, after its last) and silence where nobody's file sounds. Inputs are
//! numbered in the order given: the agent's clips, then the visitor's. Runs nothing.

/// One recording file as the composition places it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clip {
    /// Seconds from the composition's start to the file's time zero (ffmpeg reads it with
    /// `-copyts`, so its own timestamps, lead included, are kept).
    pub offset: f64,
    /// Whether the file has a video stream.
    pub video: bool,
    /// Whether the file has an audio stream.
    pub audio: bool,
}

/// Each side is scaled into 640x360 (letterboxed), at a steady 25 fps.
const SIDE: &str = "scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1";

/// The filter graph: `[v]` the two sides next to each other with the watermark from
/// `text_file`, `[a]` everyone's sound, both `length` seconds long.
pub fn filter(agent: &[Clip], visitor: &[Clip], length: f64, text_file: &str) -> String {
    let mut parts = Vec::new();
    let left = side(&mut parts, "l", agent, 0, length);
    let right = side(&mut parts, "r", visitor, agent.len(), length);
    parts.push(format!(
        "[{left}][{right}]hstack=inputs=2,drawtext=textfile='{text_file}':x=10:y=h-28:fontsize=16:fontcolor=white:box=1:boxcolor=black@0.6[v]"
    ));
    // A silent bed of the full length: the mix lasts exactly as long as the picture, and a call
    // without any sound still gets an audio track.
    let mut sounds = vec![format!("anullsrc=r=48000:cl=stereo,atrim=duration={length:.3}[bed]")];
    let mut labels = vec!["[bed]".to_string()];
    for (i, clip) in agent.iter().chain(visitor).enumerate().filter(|(_, c)| c.audio) {
        // Placed at its time; silence from 0 up to it (first_pts) and across any gap (async).
        sounds.push(format!("[{i}:a]asetpts=PTS+{:.3}/TB,aresample=async=1:first_pts=0[a{i}]", clip.offset));
        labels.push(format!("[a{i}]"));
    }
    parts.extend(sounds);
    // Not normalised by the number of inputs (a side's camera files never sound at once, and the
    // bed is silent): two voices at half volume each, as a plain two-input mix would give. A
    // shared screen's file is a clip without picture whose sound (a shared tab's audio) joins
    // the mix over its side's voice.
    parts.push(format!("{}amix=inputs={}:duration=longest:normalize=0,volume=0.5[a]", labels.concat(), labels.len()));
    parts.join(";")
}

/// One side's picture: a black canvas of the full length with each clip overlaid at its time
/// (before a clip starts and after it ends the canvas shows). Returns the label of the result.
fn side(parts: &mut Vec<String>, name: &str, clips: &[Clip], first_input: usize, length: f64) -> String {
    let mut canvas = format!("{name}0");
    parts.push(format!("color=c=black:s=640x360:r=25:d={length:.3}[{canvas}]"));
    for (n, clip) in clips.iter().enumerate().filter(|(_, c)| c.video) {
        let input = first_input + n;
        let placed = format!("{name}v{n}");
        parts.push(format!("[{input}:v]setpts=PTS+{:.3}/TB,{SIDE}[{placed}]", clip.offset));
        let next = format!("{name}{}", n + 1);
        parts.push(format!("[{canvas}][{placed}]overlay=eof_action=pass[{next}]"));
        canvas = next;
    }
    canvas
}

#[cfg(test)]
mod tests {
    use super::*;

    const AV: Clip = Clip { offset: 0.0, video: true, audio: true };

    #[test]
    fn every_file_of_each_side_is_placed_at_its_offset() {
        let agent = [AV, Clip { offset: 6.5, ..AV }];
        let visitor = [Clip { offset: 1.25, ..AV }];
        let f = filter(&agent, &visitor, 10.0, "/tmp/w.txt");
        assert!(f.contains("color=c=black:s=640x360:r=25:d=10.000[l0]"), "{f}");
        assert!(f.contains("[0:v]setpts=PTS+0.000/TB,"), "{f}");
        assert!(f.contains("[1:v]setpts=PTS+6.500/TB,"), "the agent's second file: {f}");
        assert!(f.contains("[2:v]setpts=PTS+1.250/TB,"), "the visitor's file is input 2: {f}");
        assert!(f.contains("[l0][lv0]overlay=eof_action=pass[l1]") && f.contains("[l1][lv1]overlay=eof_action=pass[l2]"), "{f}");
        assert!(f.contains("[l2][r1]hstack=inputs=2"), "{f}");
        assert!(f.contains("[1:a]asetpts=PTS+6.500/TB,aresample=async=1:first_pts=0[a1]"), "{f}");
        assert!(f.contains("[bed][a0][a1][a2]amix=inputs=4:duration=longest:normalize=0"), "{f}");
        assert!(f.ends_with("[a]"), "{f}");
    }

    #[test]
    fn a_file_without_video_or_sound_leaves_black_or_silence() {
        let agent = [AV];
        let visitor = [Clip { offset: 0.0, video: false, audio: true }];
        let f = filter(&agent, &visitor, 3.0, "w.txt");
        assert!(!f.contains("[1:v]"), "{f}");
        assert!(f.contains("[l1][r0]hstack"), "the visitor's side stays black: {f}");
        let silent = filter(&[Clip { audio: false, ..AV }], &[Clip { audio: false, ..AV }], 3.0, "w.txt");
        assert!(silent.contains("[bed]amix=inputs=1:"), "{silent}");
    }
}
