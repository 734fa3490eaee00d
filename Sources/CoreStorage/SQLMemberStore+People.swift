import Foundation
import PorteroModel
import SQLite

/// The customers and leads lists.
extension SQLMemberStore {
    public func people(_ list: PersonList, filter: PersonFilter, limit: Int, offset: Int) throws -> [PersonRow] {
        var arguments: [any SQLiteBindable] = []
        // With branches, only the subscriptions sold at them count (who is a customer, how many,
        // paid until when): a sale at another branch is that branch's business.
        var sold = ""
        if let branches = filter.branches {
            arguments.append(Self.jsonList(branches))
            sold = " AND s.branch_id IN (\(db.dialect.integers(in: "?1")))"
        }
        var sql = """
            SELECT u.id, u.clave, u.name || ' ' || u.paternal_surname
                   || CASE WHEN u.maternal_surname = '' THEN '' ELSE ' ' || u.maternal_surname END,
                   u.email, u.phone, u.active, a.name,
                   (SELECT \(db.dialect.joined("br.city", separator: ",", distinct: true))
                    FROM user_branches ub JOIN branches br ON br.id = ub.branch_id WHERE ub.user_id = u.id),
                   (SELECT \(db.dialect.joined("br.name", separator: ", "))
                    FROM user_branches ub JOIN branches br ON br.id = ub.branch_id WHERE ub.user_id = u.id),
                   u.join_day,
                   (SELECT count(*) FROM subscriptions s WHERE s.user_id = u.id\(sold)),
                   (SELECT max(s.end_day) FROM subscriptions s WHERE s.user_id = u.id AND s.status = 'active'\(sold))
            FROM users u LEFT JOIN agreements a ON a.id = u.agreement_id
            WHERE EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'cliente')
            """
        sql +=
            list == .customers
            ? " AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = u.id\(sold))"
            : " AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = u.id\(sold))"
        if filter.branches != nil {
            sql +=
                " AND EXISTS (SELECT 1 FROM user_branches b WHERE b.user_id = u.id "
                + "AND b.branch_id IN (\(db.dialect.integers(in: "?1"))))"
        }
        if let active = filter.active {
            arguments.append(active)
            sql += " AND u.active = ?\(arguments.count)"
        }
        if let city = filter.city {
            arguments.append(city)
            sql +=
                " AND EXISTS (SELECT 1 FROM user_branches ub JOIN branches br ON br.id = ub.branch_id "
                + "WHERE ub.user_id = u.id AND \(db.dialect.caseless("br.city")) = "
                + "\(db.dialect.caseless("?\(arguments.count)")))"
        }
        if let agreement = filter.agreementID {
            arguments.append(agreement)
            sql += " AND u.agreement_id = ?\(arguments.count)"
        }
        if let search = filter.search, !search.isEmpty {
            arguments.append(
                "%"
                    + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%")
            sql +=
                " AND (u.name || ' ' || u.paternal_surname || ' ' || u.maternal_surname "
                + "\(db.dialect.like) ?\(arguments.count) ESCAPE '\\' "
                + "OR u.email \(db.dialect.like) ?\(arguments.count) ESCAPE '\\')"
        }
        sql += " ORDER BY u.id LIMIT \(max(0, min(limit, 1_000_000))) OFFSET \(max(0, offset))"
        return try db.query(sql, arguments: arguments) { row in
            PersonRow(
                id: try row.get(0), clave: try row.get(1), name: try row.get(2), email: try row.get(3),
                phone: try row.get(4), active: try row.get(5),
                agreement: try row.get(6), cities: (try row.get(7) as String?) ?? "",
                branches: (try row.get(8) as String?) ?? "",
                joinDate: LocalDay(daysSinceEpoch: Int32(row.int64(9) ?? 0)), subscriptions: try row.get(10),
                lastEnd: row.int64(11).map { LocalDay(daysSinceEpoch: Int32($0)) })
        }
    }
}
