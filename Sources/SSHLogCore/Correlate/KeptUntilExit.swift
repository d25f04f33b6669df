#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Results a command is about to exit with. A full-history correlation holds hundreds of
/// thousands of objects (connections, timelines, evidence blocks); freeing them one by one just
/// before the process ends took a few percent of a whole `explain` run and frees nothing anyone
/// will use: the process's exit gives the memory back at once. So a command, once it has printed,
/// hands its result here, and it is never freed. Only for values whose process is about to end
/// (the CLI's commands), never in a loop.
public enum KeptUntilExit {
    private final class Store: @unchecked Sendable {
        var mutex = pthread_mutex_t()
        var values: [Any] = []
        init() { pthread_mutex_init(&mutex, nil) }
    }

    private static let store = Store()

    public static func keep(_ value: Any) {
        pthread_mutex_lock(&store.mutex)
        store.values.append(value)
        pthread_mutex_unlock(&store.mutex)
    }
}
