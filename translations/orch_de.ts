<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ClusterProfile</name>
    <message>
        <location filename="../console/cluster/cluster_profile.cpp" line="+19"/>
        <source>Profile &quot;%1&quot;, masters: %2</source>
        <translation>Profil „%1“, Master: %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Profile &quot;%1&quot;: %2</source>
        <translation>Profil „%1“: %2</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is not valid JSON at offset %2: %3</source>
        <translation>%1 ist an Position %2 kein gültiges JSON: %3</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1: a profile has no &quot;name&quot;.</source>
        <translation>%1: Ein Profil hat keinen „name“.</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+5"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>ConsoleOptions</name>
    <message>
        <location filename="../console/app/console_options.cpp" line="+12"/>
        <source>Orchestrator operations console</source>
        <translation>Orchestrator-Betriebskonsole</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connect to the masters at HOST:PORT[,HOST:PORT...] or zk://HOST:PORT,.../PATH.</source>
        <translation>Mit den Mastern unter HOST:PORT[,HOST:PORT...] oder zk://HOST:PORT,.../PFAD verbinden.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>orchctl config file with the TLS files.</source>
        <translation>orchctl-Konfigurationsdatei mit den TLS-Dateien.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start a local cluster and connect to it.</source>
        <translation>Einen lokalen Cluster starten und sich damit verbinden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Leave the local cluster running on exit.</source>
        <translation>Den lokalen Cluster beim Beenden weiterlaufen lassen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User interface language (e.g. de).</source>
        <translation>Sprache der Oberfläche (z. B. de).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>unexpected argument &apos;%1&apos;</source>
        <translation>unerwartetes Argument „%1“</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>--attach: %1</source>
        <translation>--attach: %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>--local and --attach cannot be used together</source>
        <translation>--local und --attach können nicht zusammen verwendet werden</translation>
    </message>
</context>
<context>
    <name>MasterEndpoints</name>
    <message>
        <location filename="../console/cluster/master_endpoints.cpp" line="+20"/>
        <source>Enter the masters as host:port (several separated by commas) or as one zk://host:port,.../path URL.</source>
        <translation>Geben Sie die Master als host:port (mehrere durch Kommas getrennt) oder als eine zk://host:port,.../pfad-URL ein.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Write the ZooKeeper URL with a lower-case &quot;zk://&quot;.</source>
        <translation>Schreiben Sie die ZooKeeper-URL mit kleinem „zk://“.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&quot;%1&quot; mixes a zk:// URL with other entries: give either host:port addresses or one zk:// URL.</source>
        <translation>„%1“ mischt eine zk://-URL mit anderen Einträgen: Geben Sie entweder host:port-Adressen oder eine zk://-URL an.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&quot;%1&quot; is not supported: give host:port addresses or one zk:// URL.</source>
        <translation>„%1“ wird nicht unterstützt: Geben Sie host:port-Adressen oder eine zk://-URL an.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The ZooKeeper URL &quot;%1&quot; contains a space.</source>
        <translation>Die ZooKeeper-URL „%1“ enthält ein Leerzeichen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The ZooKeeper URL is not valid: %1</source>
        <translation>Die ZooKeeper-URL ist ungültig: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The master list is not valid: %1</source>
        <translation>Die Master-Liste ist ungültig: %1</translation>
    </message>
</context>
<context>
    <name>orch::console::AgentsModel</name>
    <message>
        <location filename="../console/models/agents_model.cpp" line="+28"/>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>draining</source>
        <translation>wird geleert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>drained</source>
        <translation>geleert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gone</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>Hostname</source>
        <translation>Hostname</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent ID</source>
        <translation>Agent-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPUs (allocated / total)</source>
        <translation>CPUs (zugeteilt / gesamt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory</source>
        <translation>Arbeitsspeicher</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disk</source>
        <translation>Festplatte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPUs</source>
        <translation>GPUs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Attributes</source>
        <translation>Attribute</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
</context>
<context>
    <name>orch::console::ClusterConnection</name>
    <message>
        <location filename="../console/cluster/cluster_connection.cpp" line="+20"/>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting</source>
        <translation>Verbinde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Not connected to a cluster.</source>
        <translation>Nicht mit einem Cluster verbunden.</translation>
    </message>
</context>
<context>
    <name>orch::console::ConnectDialog</name>
    <message>
        <location filename="../console/dialogs/connect_dialog.cpp" line="+15"/>
        <source>Connect to Cluster</source>
        <translation>Mit Cluster verbinden</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>10.0.0.1:5050, 10.0.0.2:5050 or zk://10.0.0.5:2181/orchestrator</source>
        <translation>10.0.0.1:5050, 10.0.0.2:5050 oder zk://10.0.0.5:2181/orchestrator</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The masters as host:port (several separated by commas), or one ZooKeeper URL zk://host:port,host:port/path: the console then asks ZooKeeper for every master and connects to the leader.</source>
        <translation>Die Master als host:port (mehrere durch Kommas getrennt) oder eine ZooKeeper-URL zk://host:port,host:port/pfad: Die Konsole fragt dann ZooKeeper nach allen Mastern und verbindet sich mit dem Leader.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>only for an encrypted key; kept in the keychain</source>
        <translation>nur für einen verschlüsselten Schlüssel; wird im Schlüsselbund abgelegt</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Profile:</source>
        <translation>&amp;Profil:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Masters:</source>
        <translation>&amp;Master:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;A certificate:</source>
        <translation>C&amp;A-Zertifikat:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client &amp;certificate:</source>
        <translation>Client-&amp;Zertifikat:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client &amp;key:</source>
        <translation>Client-&amp;Schlüssel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key pass&amp;phrase:</source>
        <translation>Schlüssel-&amp;Passphrase:</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>The passphrase kept in the keychain no longer opens the client key %1: enter its passphrase.</source>
        <translation>Die im Schlüsselbund abgelegte Passphrase öffnet den Client-Schlüssel %1 nicht mehr: Geben Sie seine Passphrase ein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrong passphrase: it does not decrypt the client key %1.</source>
        <translation>Falsche Passphrase: Sie entschlüsselt den Client-Schlüssel %1 nicht.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The client key %1 is encrypted: enter its passphrase.</source>
        <translation>Der Client-Schlüssel %1 ist verschlüsselt: Geben Sie seine Passphrase ein.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The client key %1 is encrypted: enter its passphrase (none could be read from the keychain: %2).</source>
        <translation>Der Client-Schlüssel %1 ist verschlüsselt: Geben Sie seine Passphrase ein (aus dem Schlüsselbund konnte keine gelesen werden: %2).</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The key passphrase was not kept in the keychain: %1</source>
        <translation>Die Schlüssel-Passphrase wurde nicht im Schlüsselbund abgelegt: %1</translation>
    </message>
    <message>
        <location line="-149"/>
        <source>Save and &amp;Connect</source>
        <translation>Speichern und &amp;verbinden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Use &amp;orchctl settings</source>
        <translation>&amp;orchctl-Einstellungen verwenden</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>New profile</source>
        <translation>Neues Profil</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>orchctl</source>
        <translation>orchctl</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Give the profile a name.</source>
        <translation>Geben Sie dem Profil einen Namen.</translation>
    </message>
</context>
<context>
    <name>orch::console::FrameworksModel</name>
    <message>
        <location filename="../console/models/frameworks_model.cpp" line="+19"/>
        <source>inactive</source>
        <translation>inaktiv</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connected</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>disconnected</source>
        <translation>getrennt</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Framework ID</source>
        <translation>Framework-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Principal</source>
        <translation>Principal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPUs allocated</source>
        <translation>Zugeteilte CPUs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory allocated</source>
        <translation>Zugeteilter Speicher</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Registered</source>
        <translation>Registriert</translation>
    </message>
</context>
<context>
    <name>orch::console::LocalClusterLauncher</name>
    <message>
        <location filename="../console/cluster/local_cluster_launcher.cpp" line="+48"/>
        <source>%1 was not found (the console looks for it beside itself).</source>
        <translation>%1 wurde nicht gefunden (die Konsole sucht es neben sich selbst).</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cannot start %1: %2</source>
        <translation>%1 kann nicht gestartet werden: %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The local cluster is already running.</source>
        <translation>Der lokale Cluster läuft bereits.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot create the data directory %1.</source>
        <translation>Das Datenverzeichnis %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No free port on 127.0.0.1.</source>
        <translation>Kein freier Port auf 127.0.0.1.</translation>
    </message>
</context>
<context>
    <name>orch::console::LogFollower</name>
    <message>
        <location filename="../console/cluster/log_follower.cpp" line="+16"/>
        <source>Task %1 has not reached an agent yet, so it has no log.</source>
        <translation>Task %1 hat noch keinen Agenten erreicht und hat daher kein Protokoll.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot read the log: not connected to a cluster.</source>
        <translation>Das Protokoll kann nicht gelesen werden: keine Verbindung zu einem Cluster.</translation>
    </message>
</context>
<context>
    <name>orch::console::MainWindow</name>
    <message>
        <location filename="../console/main.cpp" line="+42"/>
        <source>Welcome</source>
        <translation>Willkommen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The console is not connected to a cluster.</source>
        <translation>Die Konsole ist mit keinem Cluster verbunden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start a local cluster (one master and one agent on this machine, certificates made for you), or connect to an existing cluster.</source>
        <translation>Starten Sie einen lokalen Cluster (ein Master und ein Agent auf diesem Rechner, die Zertifikate werden für Sie erzeugt) oder verbinden Sie sich mit einem bestehenden Cluster.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start a &amp;Local Cluster</source>
        <translation>&amp;Lokalen Cluster starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Connect to a Cluster...</source>
        <translation>Mit einem Cluster &amp;verbinden …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Later</source>
        <translation>&amp;Später</translation>
    </message>
    <message>
        <location line="+28"/>
        <location filename="../console/views/main_window.cpp" line="+341"/>
        <source>Connect to cluster</source>
        <translation>Mit Cluster verbinden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot use orchctl&apos;s settings to attach to %1: %2</source>
        <translation>Die orchctl-Einstellungen können nicht für die Verbindung mit %1 verwendet werden: %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <location filename="../console/views/main_window.cpp" line="+8"/>
        <location line="+7"/>
        <source>Local cluster</source>
        <translation>Lokaler Cluster</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../console/views/main_window.cpp" line="-109"/>
        <location line="+109"/>
        <source>Cannot start the local cluster: %1</source>
        <translation>Der lokale Cluster kann nicht gestartet werden: %1</translation>
    </message>
    <message>
        <location filename="../console/views/main_window.cpp" line="-326"/>
        <source>Orchestrator Console</source>
        <translation>Orchestrator-Konsole</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>draining</source>
        <translation>wird geleert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>drained</source>
        <translation>geleert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gone</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>connected</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>disconnected</source>
        <translation>getrennt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>inactive</source>
        <translation>inaktiv</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Overview</source>
        <translation>&amp;Übersicht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Agents</source>
        <translation>&amp;Agenten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Frameworks</source>
        <translation>&amp;Frameworks</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Tasks</source>
        <translation>&amp;Tasks</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>To&amp;pology</source>
        <translation>To&amp;pologie</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 agents, %2 frameworks, %3 tasks</source>
        <translation>%1 Agenten, %2 Frameworks, %3 Tasks</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>&amp;Run Task...</source>
        <translation>Task &amp;ausführen …</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Drain Agent...</source>
        <translation>Agent &amp;leeren …</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>R&amp;eactivate Agent...</source>
        <translation>Agent &amp;reaktivieren …</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Kill Task...</source>
        <translation>Task &amp;beenden …</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Task &amp;Details and Logs</source>
        <translation>Task-&amp;Details und Protokolle</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Connect to Cluster...</source>
        <translation>Mit Cluster &amp;verbinden …</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start &amp;Local Cluster...</source>
        <translation>&amp;Lokalen Cluster starten …</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>D&amp;isconnect</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Find</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Quit</source>
        <translation>B&amp;eenden</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Cluster</source>
        <translation>&amp;Cluster</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Actions</source>
        <translation>&amp;Aktionen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;View</source>
        <translation>A&amp;nsicht</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Disconnected, reconnecting</source>
        <translation>Getrennt, verbinde erneut</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Disconnected (%1), reconnecting</source>
        <translation>Getrennt (%1), verbinde erneut</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No master</source>
        <translation>Kein Master</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+26"/>
        <source>Master %1</source>
        <translation>Master %1</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>Leader %1</source>
        <translation>Leader %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Master %1 (leader %2)</source>
        <translation>Master %1 (Leader %2)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 via %2</source>
        <translation>%1 über %2</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+110"/>
        <source>Cannot connect: %1</source>
        <translation>Verbindung nicht möglich: %1</translation>
    </message>
    <message>
        <location line="-91"/>
        <source>Local cluster started: master %1</source>
        <translation>Lokaler Cluster gestartet: Master %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Draining agent %1...</source>
        <translation>Agent %1 wird geleert …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agent %1 is draining: its tasks are being stopped and it gets no new ones.</source>
        <translation>Agent %1 wird geleert: Seine Tasks werden beendet und er erhält keine neuen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot drain agent %1: %2</source>
        <translation>Agent %1 kann nicht geleert werden: %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reactivating agent %1...</source>
        <translation>Agent %1 wird reaktiviert …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agent %1 is active again.</source>
        <translation>Agent %1 ist wieder aktiv.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot reactivate agent %1: %2</source>
        <translation>Agent %1 kann nicht reaktiviert werden: %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Drain agent</source>
        <translation>Agent leeren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drain agent %1? Its tasks are killed and it receives no new tasks until it is reactivated.</source>
        <translation>Agent %1 leeren? Seine Tasks werden beendet und er erhält keine neuen Tasks, bis er reaktiviert wird.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reactivate agent</source>
        <translation>Agent reaktivieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reactivate agent %1 so it receives tasks again?</source>
        <translation>Agent %1 reaktivieren, damit er wieder Tasks erhält?</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Kill task</source>
        <translation>Task beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kill task %1? It gets SIGTERM, then SIGKILL after its grace period.</source>
        <translation>Task %1 beenden? Er erhält SIGTERM und nach seiner Schonfrist SIGKILL.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Killing task %1...</source>
        <translation>Task %1 wird beendet …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Kill sent to task %1.</source>
        <translation>Beenden an Task %1 gesendet.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cannot kill task %1: %2</source>
        <translation>Task %1 kann nicht beendet werden: %2</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>The local cluster is already running at %1.</source>
        <translation>Der lokale Cluster läuft bereits unter %1.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stop the local cluster the console started? Choose No to leave it running.</source>
        <translation>Den von der Konsole gestarteten lokalen Cluster anhalten? Wählen Sie „Nein“, um ihn weiterlaufen zu lassen.</translation>
    </message>
</context>
<context>
    <name>orch::console::OverviewPage</name>
    <message>
        <location filename="../console/views/overview_page.cpp" line="+32"/>
        <source>Resources</source>
        <translation>Ressourcen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CPUs</source>
        <translation>CPUs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory</source>
        <translation>Arbeitsspeicher</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disk</source>
        <translation>Festplatte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPUs</source>
        <translation>GPUs</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>States</source>
        <translation>Zustände</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Tasks</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agents</source>
        <translation>Agenten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Utilisation, last hour</source>
        <translation>Auslastung, letzte Stunde</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CPUs used %</source>
        <translation>CPUs belegt in %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Memory used %</source>
        <translation>Speicher belegt in %</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Percent</source>
        <translation>Prozent</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>%1 used, %2 offered, %3 idle of %4 (%5% used)</source>
        <translation>%1 belegt, %2 angeboten, %3 frei von %4 (%5 % belegt)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
</context>
<context>
    <name>orch::console::RunTaskDialog</name>
    <message>
        <location filename="../console/dialogs/run_task_dialog.cpp" line="+11"/>
        <source>Run Task</source>
        <translation>Task ausführen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>console-run</source>
        <translation>console-run</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. echo hello; sleep 30</source>
        <translation>z. B. echo hallo; sleep 30</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+4"/>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Command:</source>
        <translation>&amp;Befehl:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;PUs:</source>
        <translation>C&amp;PUs:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Memory:</source>
        <translation>&amp;Speicher:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Disk:</source>
        <translation>&amp;Festplatte:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Role:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Subscribing to the master...</source>
        <translation>Beim Master anmelden …</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Task %1 launched on agent %2.</source>
        <translation>Task %1 wurde auf Agent %2 gestartet.</translation>
    </message>
</context>
<context>
    <name>orch::console::SecretStore</name>
    <message>
        <location filename="../console/cluster/secret_store.cpp" line="+30"/>
        <source>Cannot store the secret %1 in the keychain: %2</source>
        <translation>Das Geheimnis %1 kann nicht im Schlüsselbund gespeichert werden: %2</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No secret %1 is stored in the keychain.</source>
        <translation>Im Schlüsselbund ist kein Geheimnis %1 gespeichert.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot read the secret %1 from the keychain: %2</source>
        <translation>Das Geheimnis %1 kann nicht aus dem Schlüsselbund gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Cannot remove the secret %1 from the keychain: %2</source>
        <translation>Das Geheimnis %1 kann nicht aus dem Schlüsselbund entfernt werden: %2</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+19"/>
        <source>The keychain did not answer within %1 ms.</source>
        <translation>Der Schlüsselbund hat nicht innerhalb von %1 ms geantwortet.</translation>
    </message>
</context>
<context>
    <name>orch::console::TablePage</name>
    <message>
        <location filename="../console/views/table_page.cpp" line="+19"/>
        <source>Search (Ctrl+F)</source>
        <translation>Suchen (Strg+F)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All states</source>
        <translation>Alle Zustände</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Search:</source>
        <translation>&amp;Suche:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>S&amp;tate:</source>
        <translation>&amp;Zustand:</translation>
    </message>
</context>
<context>
    <name>orch::console::TaskDetailsDialog</name>
    <message>
        <location filename="../console/dialogs/task_details_dialog.cpp" line="+21"/>
        <source>Task %1</source>
        <translation>Task %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State:</source>
        <translation>Zustand:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent:</source>
        <translation>Agent:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Framework:</source>
        <translation>Framework:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resources:</source>
        <translation>Ressourcen:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Command:</source>
        <translation>Befehl:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message:</source>
        <translation>Meldung:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>stdout</source>
        <translation>stdout</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stderr</source>
        <translation>stderr</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Follow output</source>
        <translation>Ausgabe &amp;verfolgen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Kill task...</source>
        <translation>Task &amp;beenden …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Kill this task (Ctrl+K)</source>
        <translation>Diesen Task beenden (Strg+K)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Log: %1</source>
        <translation>Protokoll: %1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>unknown to the master</source>
        <translation>dem Master unbekannt</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 CPUs, %2</source>
        <translation>%1 CPUs, %2</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Kill task</source>
        <translation>Task beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kill task %1? It gets SIGTERM, then SIGKILL after its grace period.</source>
        <translation>Task %1 beenden? Er erhält SIGTERM und nach seiner Schonfrist SIGKILL.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot kill task %1: %2</source>
        <translation>Task %1 kann nicht beendet werden: %2</translation>
    </message>
</context>
<context>
    <name>orch::console::TaskLauncher</name>
    <message>
        <location filename="../console/cluster/task_launcher.cpp" line="+23"/>
        <source>Enter the command to run.</source>
        <translation>Geben Sie den auszuführenden Befehl ein.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPUs must be more than 0.</source>
        <translation>CPUs müssen mehr als 0 sein.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory must be more than 0 MB.</source>
        <translation>Der Speicher muss mehr als 0 MB sein.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disk cannot be negative.</source>
        <translation>Festplatte darf nicht negativ sein.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a role, or * for any.</source>
        <translation>Geben Sie eine Rolle ein oder * für jede.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Not connected to a cluster.</source>
        <translation>Nicht mit einem Cluster verbunden.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Subscribed as framework %1; waiting for an offer.</source>
        <translation>Als Framework %1 angemeldet; warte auf ein Angebot.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Waiting: %1</source>
        <translation>Warte: %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The master refused the launch: %1</source>
        <translation>Der Master hat den Start abgelehnt: %1</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The master reported an error: %1</source>
        <translation>Der Master meldete einen Fehler: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Lost the connection to the master: %1</source>
        <translation>Die Verbindung zum Master ist verloren: %1</translation>
    </message>
</context>
<context>
    <name>orch::console::TasksModel</name>
    <message>
        <location filename="../console/models/tasks_model.cpp" line="+26"/>
        <source>staging</source>
        <translation>wird bereitgestellt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>finished</source>
        <translation>beendet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>killed</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>lost</source>
        <translation>verloren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>killing</source>
        <translation>wird abgebrochen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dropped</source>
        <translation>verworfen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gone</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Task ID</source>
        <translation>Task-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Framework</source>
        <translation>Framework</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPUs</source>
        <translation>CPUs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory</source>
        <translation>Arbeitsspeicher</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Age</source>
        <translation>Alter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>orch::console::TopologyPage</name>
    <message>
        <location filename="../console/views/topology_page.cpp" line="+15"/>
        <source>Agents are drawn with their tasks around them; edges run from a framework to its tasks. Green: healthy, amber: draining or starting, red: unreachable. Wheel zooms, F fits, double-click opens the object.</source>
        <translation>Agenten werden mit ihren Tasks ringsum gezeichnet; Kanten führen von einem Framework zu seinen Tasks. Grün: gesund, gelb: wird geleert oder startet, rot: nicht erreichbar. Mausrad zoomt, F passt ein, Doppelklick öffnet das Objekt.</translation>
    </message>
</context>
</TS>
