@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The desk sells on credit, sees who owes, records the payment; administrators set the chain's settings.
@Suite struct PaymentPageTests {
    @Test func aReceptionistSellsOnCreditSeesTheDebtAndRecordsThePayment() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: root)
        let member = try fixture.member("ana", as: reception)
        let cookie = "portero_session=\(reception.cookie)"
        let form: [(String, String)] = [
            ("csrf", reception.csrf), ("plan", "\(plan)"), ("branch", "\(fixture.own)"), ("payment", "credit"),
        ]
        let farAway = try fixture.page(
            "POST", "/members/\(member)/enroll", form: form + [("paymentDue", "2029-01-01")], cookies: [cookie])
        #expect(farAway.status == 400)
        #expect(html(farAway).contains("class=\"field invalid\"><label for=\"f-paymentDue\""))
        let sold = try fixture.page(
            "POST", "/members/\(member)/enroll", form: form + [("paymentDue", "2027-01-10")], cookies: [cookie])
        #expect(sold.status == 303)
        let page = html(try fixture.page("GET", "/members/\(member)", cookies: [cookie]))
        #expect(page.contains("A crédito") && page.contains("Registrar pago"))
        let owed = html(try fixture.page("GET", "/payments", cookies: [cookie]))
        #expect(owed.contains("Nombre ana") && owed.contains("Mensual") && owed.contains("A crédito"))
        let english = html(try fixture.page("GET", "/payments", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("Payments owed") && english.contains("On credit"))
        let subscription = try #require(
            try objects(try fixture.get("/api/v1/users/\(member)/subscriptions", as: reception)).first?["id"] as? Int64)
        let wrong = try fixture.page(
            "POST", "/members/\(member)/payment",
            form: [
                ("csrf", reception.csrf), ("subscription", "\(subscription)"), ("outcome", "paid"),
                ("method", "cash"), ("amountMinor", "-5"),
            ], cookies: [cookie])
        #expect(wrong.status == 400)
        let paid = try fixture.page(
            "POST", "/members/\(member)/payment",
            form: [
                ("csrf", reception.csrf), ("subscription", "\(subscription)"), ("outcome", "paid"),
                ("method", "cash"), ("amountMinor", "59900"), ("reference", "REC-1"),
            ], cookies: [cookie])
        #expect(paid.status == 303)
        #expect(html(try fixture.page("GET", "/payments", cookies: [cookie])).contains("Nadie debe un pago"))
        let payments = try objects(try fixture.get("/api/v1/subscriptions/\(subscription)/payments", as: reception))
        #expect(payments.count == 1 && payments.first?["reference"] as? String == "REC-1")
    }

    @Test func onlyWhoConfiguresTheWholeChainChangesItsSettings() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let cookie = "portero_session=\(root.cookie)"
        let page = html(try fixture.page("GET", "/chain-settings", cookies: [cookie]))
        #expect(page.contains("Configuración de la cadena") && page.contains("value=\"MXN\""))
        var form: [(String, String)] = [
            ("csrf", root.csrf), ("currency", "MXN"), ("paymentGraceDays", "99"), ("taxRateBasisPoints", "1600"),
            ("legalName", "Club Sur"), ("taxID", "CSU010101AB1"), ("fiscalAddress", "Puebla"),
        ]
        let refused = try fixture.page("POST", "/chain-settings", form: form, cookies: [cookie])
        #expect(refused.status == 400)
        #expect(html(refused).contains("class=\"field invalid\"><label for=\"f-paymentGraceDays\""))
        #expect(html(refused).contains("value=\"Club Sur\""), "what was typed is kept")
        form[2] = ("paymentGraceDays", "5")
        let saved = try fixture.page("POST", "/chain-settings", form: form, cookies: [cookie])
        #expect(saved.status == 303 && saved.header("Location") == "/chain-settings?done=1")
        let settings = try object(try fixture.get("/api/v1/settings", as: root))
        #expect(settings["paymentGraceDays"] as? Int == 5 && settings["legalName"] as? String == "Club Sur")
        var withNetworks = form
        withNetworks.append(("networks-administrador", "10.0.0.0/8, 999.0.0.1"))
        let wrongNetwork = try fixture.page("POST", "/chain-settings", form: withNetworks, cookies: [cookie])
        #expect(wrongNetwork.status == 400)
        #expect(html(wrongNetwork).contains("class=\"field invalid\"><label for=\"f-networks-administrador\""))
        withNetworks[withNetworks.count - 1] = ("networks-administrador", "10.0.0.0/8 192.168.1.0/24")
        #expect(try fixture.page("POST", "/chain-settings", form: withNetworks, cookies: [cookie]).status == 303)
        let networks =
            try object(try fixture.get("/api/v1/settings", as: root))["signInNetworks"] as? [String: [String]]
        #expect(networks?["administrador"] == ["10.0.0.0/8", "192.168.1.0/24"] && networks?["recepcion"] == [])
        let desk = html(
            try fixture.page("GET", "/chain-settings", cookies: ["portero_session=\(reception.cookie)"]))
        #expect(desk.contains("<fieldset disabled>") && !desk.contains("<button type=\"submit\">Guardar"))
        #expect(!desk.contains("href=\"/chain-settings\""), "not in a receptionist's menu")
    }
}
