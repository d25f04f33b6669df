import ArgumentParser
import SSHLogCore

/// Which sshd_config describes the server whose logs are read.
struct SSHDConfigOptions: ParsableArguments {
    @Option(name: .customLong("sshd-config"), help: ArgumentHelp(
        "The server's sshd_config (LoginGraceTime, ClientAlive*, MaxStartups, LogLevel sharpen the diagnosis and the advice).",
        discussion: "Default: /etc/ssh/sshd_config when reading this machine's own logs; samples/config/sshd_config for the bundled samples; sshd's defaults for other paths.",
        valueName: "file"))
    var path: String?

    /// The settings for this run; an unreadable file named explicitly is reported, the defaults used.
    func settings(for run: IngestRun, pathsGiven: Bool, diagnostics: Diagnostics) -> SSHDSettings {
        if let path {
            let (s, err) = SSHDSettings.load(path: path)
            if let err { diagnostics.report(err) }
            return s
        }
        if run.usedFallback, let dir = run.fallbackDirectory {
            let (s, err) = SSHDSettings.load(path: dir + "/config/sshd_config")
            return err == nil ? s : SSHDSettings()
        }
        if !pathsGiven {
            // This machine's own logs: its own config, silently defaults when unreadable.
            let (s, err) = SSHDSettings.load(path: SSHDSettings.defaultPath)
            return err == nil ? s : SSHDSettings()
        }
        return SSHDSettings()
    }
}
