use std::process::ExitCode;

fn main() -> ExitCode {
    match pactsim::cli::main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`pactsim list | head`) is not an error worth a message.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
