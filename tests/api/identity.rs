//! Identity and access through HTTP.

use crate::support::*;

#[tokio::test]
async fn harness_smoke_admin_sees_me() {
    let app = spawn().await;
    let t = app.tenant().await;
    let me = app.get("/v1/me", &t.admin.token).await;
    let body = me.ok(200);
    assert_eq!(body["tenant"]["id"], t.id.to_string(), "{body}");
    assert_eq!(body["user"]["id"], t.admin.id.to_string(), "{body}");
}
