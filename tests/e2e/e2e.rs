use eac_e2e::Desk;

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn smoke() -> anyhow::Result<()> {
    let desk = Desk::start("smoke").await?;
    let t = desk.client.title().await?;
    println!("title {t}");
    let src = desk.client.source().await?;
    println!("{src}");
    desk.quit().await
}
