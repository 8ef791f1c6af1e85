#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use flowgate_model::flow::Dialect;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dialect = if args[1] == "sf" {
        Dialect::Salesforce
    } else {
        Dialect::N8n
    };
    let path = std::path::Path::new(&args[2]);
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let loaded =
        flowgate_load::load_platform_texts(std::path::Path::new("."), dialect, &[(name, text)]);
    for a in loaded.model.assets() {
        println!("{}", serde_json::to_string_pretty(&a.document()).unwrap());
    }
}
