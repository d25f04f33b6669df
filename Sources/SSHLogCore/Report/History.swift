/// Who logged in from where, over all the history read: the memory behind "first time this
/// address for this user" and "an account that otherwise uses keys".
///
/// Fed only `auth.accepted` events, in time order. Memory grows with distinct (user, address)
/// pairs that logged in successfully, not with lines.
struct LoginHistory {
    struct UserLogins {
        var keyLogins = 0
        var passwordLogins = 0
        /// Password (or keyboard-interactive) logins before the reported period.
        var passwordBeforePeriod = 0
        var first: Int64 = .max
    }

    /// "user\0address" → first successful login.
    private(set) var firstSeen: [String: Int64] = [:]
    private(set) var users: [String: UserLogins] = [:]
    /// Address → users that logged in from it (at most `maxUsersPerAddress`).
    private(set) var addresses: [String: [String]] = [:]

    static let maxUsersPerAddress = 8

    /// What was known before this login.
    struct Prior {
        var pairSeen: Bool
        var user: UserLogins?
    }

    /// Records a login and returns what the history knew just before it.
    mutating func note(user: String, address: String, method: String, time: Int64, beforePeriod: Bool) -> Prior {
        let key = user + "\u{0}" + address
        let prior = Prior(pairSeen: firstSeen[key] != nil, user: users[user])
        if firstSeen[key] == nil { firstSeen[key] = time }
        var u = users[user] ?? UserLogins()
        if LoginHistory.isKey(method) { u.keyLogins += 1 } else {
            u.passwordLogins += 1
            if beforePeriod { u.passwordBeforePeriod += 1 }
        }
        if time < u.first { u.first = time }
        users[user] = u
        var list = addresses[address] ?? []
        if !list.contains(user), list.count < LoginHistory.maxUsersPerAddress {
            list.append(user)
            addresses[address] = list
        }
        return prior
    }

    func isKnown(user: String) -> Bool { users[user] != nil }
    func usersFrom(_ address: String) -> [String]? { addresses[address] }

    /// `publickey`, `hostbased` and certificates are keys; `password` and `keyboard-interactive`
    /// (PAM) are passwords.
    static func isKey(_ method: String) -> Bool {
        method == "publickey" || method == "hostbased" || method.hasPrefix("publickey")
    }
}

/// Failed authentications from one address since its last successful login.
struct FailureRun {
    var count = 0
    var first: Int64 = 0
    var last: Int64 = 0
    var users: [String] = []
}
