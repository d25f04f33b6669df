/// One log record after the syslog stage, borrowed from its reader's buffer.
///
/// A record is a view: `line` points into the reader's buffer and is valid only until the source
/// advances. Stages that keep anything copy the fields they keep (see `string(_:)`).
public struct SyslogRecord {
    /// Microseconds since the Unix epoch, UTC.
    public var time: Int64
    /// The whole line, without its line ending.
    public var line: UnsafeRawBufferPointer
    /// Byte ranges inside `line`.
    public var hostRange: Range<Int>
    public var programRange: Range<Int>
    public var messageRange: Range<Int>
    /// The process id from `program[pid]:`, or -1.
    public var pid: Int32
    /// 1-based line number in the (decompressed) file; 0 for journal entries.
    public var lineNumber: Int
    /// True when the line had no syslog header sshlog understands; `time` is then the previous
    /// record's, program and host are empty and the message is the whole line.
    public var malformed: Bool

    public init(time: Int64, line: UnsafeRawBufferPointer, hostRange: Range<Int>, programRange: Range<Int>,
                messageRange: Range<Int>, pid: Int32, lineNumber: Int, malformed: Bool = false) {
        self.time = time
        self.line = line
        self.hostRange = hostRange
        self.programRange = programRange
        self.messageRange = messageRange
        self.pid = pid
        self.lineNumber = lineNumber
        self.malformed = malformed
    }

    @inline(__always) public var host: UnsafeRawBufferPointer { slice(hostRange) }
    @inline(__always) public var program: UnsafeRawBufferPointer { slice(programRange) }
    @inline(__always) public var message: UnsafeRawBufferPointer { slice(messageRange) }

    @inline(__always)
    public func slice(_ r: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: line[r])
    }

    /// Copies a byte range out as a String (invalid UTF-8 becomes U+FFFD).
    public func string(_ r: Range<Int>) -> String {
        String(decoding: slice(r), as: UTF8.self)
    }

    public var hostString: String { string(hostRange) }
    public var programString: String { string(programRange) }
    public var messageString: String { string(messageRange) }
    public var lineString: String { String(decoding: line, as: UTF8.self) }
}

/// Where a record came from, for citing evidence: `file:line` or a journal cursor.
public struct SourceLocation: Hashable, Sendable, Codable {
    /// File path, `-` for standard input, or `journal` / the journal file.
    public var source: String
    /// 1-based line number; 0 when not applicable.
    public var line: Int
    /// Journal cursor, for `journalctl --cursor`.
    public var cursor: String?

    public init(source: String, line: Int, cursor: String? = nil) {
        self.source = source
        self.line = line
        self.cursor = cursor
    }

    public var description: String {
        if let cursor { return "\(source) cursor \(cursor)" }
        return line > 0 ? "\(source):\(line)" : source
    }
}

/// A stream of records: the ingest stage's output. Pull-based so that several streams can be
/// merged without copying: the current record stays valid until `next()` is called again.
public protocol RecordSource: AnyObject {
    /// Advances to the next record; false at the end of the stream.
    func next() -> Bool
    /// The current record; valid after `next()` returned true, until the next call.
    var record: SyslogRecord { get }
    /// Where the current record came from.
    func location() -> SourceLocation
    /// A short name for messages (the file path, "journal", ...).
    var name: String { get }
    /// True when the current record's trusted metadata contradicts its program name (journal
    /// entries written by `logger -t sshd`); file sources cannot tell and say false.
    var currentIsSpoofed: Bool { get }
}

extension RecordSource {
    public var currentIsSpoofed: Bool { false }
}
