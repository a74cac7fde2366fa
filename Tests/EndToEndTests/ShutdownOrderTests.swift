import Foundation
import Synchronization
import Testing
import WooshhookTesting

/// The order in which `serve` stops its parts after SIGTERM (`Daemon.drainOrder`, docs/ARCHITECTURE.md, "Start-up
/// and shutdown"), seen from outside: the journal lives on `powercutfs` with a hold, so a journal append can be kept
/// in flight for as long as the test needs, and the listener's drain lasts exactly that long.
@Suite(.serialized)
struct ShutdownOrderTests {
    /// While a request is in flight at SIGTERM: the status page is still up and says `shutting_down`, a new webhook
    /// request gets 503 `shutting_down` (and is in the rejection log), a second `serve` on the journal is refused
    /// because the lock is still held. Once the append completes, the request in flight is answered 200 and is in
    /// the journal, the daemon exits 0, and the lock is free for the next `serve`.
    @Test func aRequestInFlightAtSigtermIsJournaledWhileTheDaemonRefusesNewWorkAndKeepsTheLock() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("wooshhook-drain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let hold = folder.appendingPathComponent("hold").path
        let disk = try PowerCutFileSystem(in: folder, hold: hold)
        defer { disk.unmount() }
        let statusPort = try WooshhookTestShell.freePort()
        let daemon = try DaemonProcess(overrides: [
            "journal": ["directory": disk.mountPoint, "fsync": "always"],
            "status": ["listen": ["host": "127.0.0.1", "port": statusPort]],
            "shutdown_timeout_seconds": 60,
        ])
        defer { daemon.cleanUp() }
        try daemon.start()
        let pid = try #require(daemon.pid)
        #expect(try SignedRequest.event(id: "evt_before").send(port: daemon.port).status == 200)
        let health = { (try? StatusPageTests.get("/status.json", port: statusPort))?.json?["health"] as? String }
        #expect(eventually { health() == "ok" }, "status page: \(String(describing: health()))")

        // Accepted before the SIGTERM, idle and kept alive: the connection a new request arrives on during the drain.
        let idle = try RawHTTPConnection(port: daemon.port)
        try idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try idle.readResponse().status == 200)

        // The append of evt_in_flight waits in fsync until `hold` goes.
        try #require(FileManager.default.createFile(atPath: hold, contents: nil))
        // First of all on the way out: a process in a held fsync cannot even be killed (nor reaped), and the file
        // system's process cannot exit while it holds one.
        defer { try? FileManager.default.removeItem(atPath: hold) }
        let answer = Mutex<HTTPTestResponse?>(nil)
        let answered = DispatchSemaphore(value: 0)
        let port = daemon.port
        Thread.detachNewThread {
            let response = try? SignedRequest.event(id: "evt_in_flight").send(port: port)
            answer.withLock { $0 = response }
            answered.signal()
        }
        try #require(eventually { FileManager.default.fileExists(atPath: hold + ".held") }, "the append never synced")

        kill(pid, SIGTERM)
        // The status page outlives the listener's drain (a plain reverse of the start stops it first).
        #expect(eventually { health() == "shutting_down" }, "during the drain: \(String(describing: health()))")
        let refused = try SignedRequest.event(id: "evt_during_drain").sendOn(idle)
        #expect(refused.status == 503)
        #expect(refused.errorCode == "shutting_down", "\(refused.bodyText)")

        // The lock is held through the drain: a second serve on the journal is refused, naming the holder.
        let second = try DaemonProcess(overrides: ["journal": ["directory": disk.mountPoint]])
        defer { second.cleanUp() }
        defer { try? FileManager.default.removeItem(atPath: hold) }
        try second.launch()
        let secondStatus = second.exitStatus(timeout: 10)
        #expect(secondStatus != nil && secondStatus != 0, "a second serve during the drain: \(second.log(tail: 5))")
        #expect(second.logLines().first?.contains("PID \(pid)") == true, "\(second.logLines())")

        #expect(daemon.isRunning, "the daemon waits for the request in flight: \(daemon.log(tail: 5))")
        #expect(answer.withLock { $0 } == nil, "answered before its append was synced")
        try FileManager.default.removeItem(atPath: hold)
        #expect(answered.wait(timeout: .now() + 20) == .success)
        let inFlight = answer.withLock { $0 }
        #expect(inFlight?.status == 200, "\(inFlight?.bodyText ?? "no answer")")
        #expect(daemon.exitStatus(timeout: 20) == 0, "\(daemon.log(tail: 10))")
        #expect(!daemon.logLines().contains { $0.contains("unanswered") }, "\(daemon.log(tail: 5))")

        let journaled = daemon.journalLines().compactMap { record($0)["event_id"] as? String }
        #expect(journaled == ["evt_before", "evt_in_flight"])
        let rejections = try WooshhookBinary.run(["rejections", "--json", "--journal", disk.mountPoint])
        let codes = rejections.stdout.split(separator: "\n").map { record(String($0))["code"] as? String }
        #expect(codes == ["shutting_down"], "\(rejections.stdout)\(rejections.stderr)")

        // Released on exit: the next serve takes the journal and finds both events.
        try second.start()
        let again = try SignedRequest.event(id: "evt_in_flight").send(port: second.port)
        #expect(again.json?["duplicate"] as? Bool == true, "\(again.bodyText)")
        #expect(second.stop() == 0)
    }
}

extension SignedRequest {
    /// Sends on a connection already open and reads the response.
    func sendOn(_ connection: RawHTTPConnection) throws -> HTTPTestResponse {
        try connection.send(bytes)
        return try connection.readResponse()
    }
}
