/// sshlog's version, shown by `sshlog --version` and in JSON outputs.
public enum SSHLogVersion {
    public static let string = "0.1.0"
}
