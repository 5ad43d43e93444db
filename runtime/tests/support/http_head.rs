//! Reading requests off a socket for the hand-written test servers (those
//! that need control wiremock does not give: pacing, exact bytes, huge
//! pre-rendered bodies).

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Reads the next request's head (request line and headers, up to the blank
/// line) from `socket`, keeping what follows it in `buffer` for the next
/// call. `None` when the peer closed the connection or it failed.
pub async fn read_head(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<String> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end);
    Some(head)
}
