<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <source>LabTunnel settings</source>
        <extracomment>makes the password-to-key service, with the app&apos;s prompter for one-time codes</extracomment>
        <translation>LabTunnel 设置</translation>
    </message>
</context>
<context>
    <name>ErrorReporter</name>
    <message>
        <source>Something went wrong inside LabTunnel. It keeps running, and your connections stay open. The log has the details for whoever helps you.</source>
        <extracomment>a report was logged; the window follows on the GUI thread the window (for tests)</extracomment>
        <translation>LabTunnel 内部出了点问题。它会继续运行，您的连接也保持打开。日志里有详细信息，可供帮助您的人查看。</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>查看日志</translation>
    </message>
</context>
<context>
    <name>Fallback</name>
    <message>
        <source>This desktop has no system tray (notification area), so LabTunnel shows its menu in this window. Closing the window keeps your tunnels open; start LabTunnel again to bring it back.</source>
        <translation>此桌面没有系统托盘（通知区域），因此 LabTunnel 在此窗口中显示菜单。关闭窗口不会断开隧道；再次启动 LabTunnel 即可让窗口重新出现。</translation>
    </message>
    <message>
        <source>Lab servers</source>
        <translation>实验室服务器</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>菜单</translation>
    </message>
    <message>
        <source>{name}: {state}</source>
        <translation>{name}：{state}</translation>
    </message>
    <message>
        <source>No lab server yet: use Menu → Add lab server…</source>
        <translation>还没有实验室服务器：请使用“菜单 → 添加实验室服务器…”</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Another server already has this name</source>
        <translation>已有其他服务器使用此名称</translation>
    </message>
    <message>
        <source>Not a host name or IP address</source>
        <translation>不是有效的主机名或 IP 地址</translation>
    </message>
    <message>
        <source>Use 0 (pick a free port) or a port up to 65535</source>
        <translation>请使用 0（自动选择空闲端口）或不大于 65535 的端口</translation>
    </message>
    <message>
        <source>Use a port from 1 to 65535</source>
        <translation>请使用 1 到 65535 之间的端口</translation>
    </message>
    <message>
        <source>User names have no spaces</source>
        <translation>用户名不能包含空格</translation>
    </message>
    <message>
        <source>No file at this path</source>
        <translation>此路径下没有文件</translation>
    </message>
    <message>
        <source>This is a folder, not a key file</source>
        <translation>这是一个文件夹，不是密钥文件</translation>
    </message>
    <message>
        <source>A server cannot be its own jump host</source>
        <translation>服务器不能把自己用作跳板机</translation>
    </message>
    <message>
        <source>That jump host profile no longer exists</source>
        <translation>该跳板机配置已不存在</translation>
    </message>
    <message>
        <source>Not a SHA256 fingerprint</source>
        <translation>不是 SHA256 指纹</translation>
    </message>
    <message>
        <source>Value out of range</source>
        <translation>数值超出范围</translation>
    </message>
    <message>
        <source>Letters, digits, - _ and . only</source>
        <translation>只能用字母、数字、-、_ 和 .</translation>
    </message>
    <message>
        <source>A size like 16G or 500M</source>
        <translation>大小，例如 16G 或 500M</translation>
    </message>
    <message>
        <source>Not a Slurm time limit (4:00:00)</source>
        <translation>不是 Slurm 时间限制（4:00:00）</translation>
    </message>
    <message>
        <source>One sbatch option per line, like --constraint=a100</source>
        <translation>每行一个 sbatch 选项，例如 --constraint=a100</translation>
    </message>
    <message>
        <source>LabTunnel sets {option} itself</source>
        <translation>{option} 由 LabTunnel 自己设置</translation>
    </message>
    <message>
        <source>Invalid value</source>
        <translation>无效的值</translation>
    </message>
    <message>
        <source>Two forwards have the name “{name}”</source>
        <translation>有两个转发都叫“{name}”</translation>
    </message>
    <message>
        <source>At most {count} forwards</source>
        <translation>最多 {count} 个转发</translation>
    </message>
    <message>
        <source>Every forward needs a name</source>
        <translation>每个转发都需要一个名称</translation>
    </message>
    <message>
        <source>Forward names: at most 40 characters</source>
        <translation>转发名称最多 40 个字符</translation>
    </message>
    <message>
        <source>Forward address: use host:port, e.g. localhost:6006</source>
        <translation>转发地址：请使用 host:port，例如 localhost:6006</translation>
    </message>
</context>
<context>
    <name>HostKey</name>
    <message>
        <source>Check the server’s identity</source>
        <translation>核对服务器身份</translation>
    </message>
    <message>
        <source>Is this your lab server?</source>
        <translation>这是您的实验室服务器吗？</translation>
    </message>
    <message>
        <source>LabTunnel has not connected to {host} before. Compare the fingerprint below with the one your lab admin gave you. Trust it only if they match.</source>
        <translation>LabTunnel 以前没有连接过 {host}。请将下面的指纹与实验室管理员提供给您的指纹进行比对，只有两者一致时才信任它。</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Key type:</source>
        <translation>密钥类型：</translation>
    </message>
    <message>
        <source>Fingerprint:</source>
        <translation>指纹：</translation>
    </message>
    <message>
        <source>Trust and connect</source>
        <translation>信任并连接</translation>
    </message>
    <message>
        <source>Server identity changed</source>
        <translation>服务器身份已改变</translation>
    </message>
    <message>
        <source>Warning: the server’s identity has changed</source>
        <translation>警告：服务器的身份已改变</translation>
    </message>
    <message>
        <source>{host} showed a different key than the one LabTunnel knows. Someone may be intercepting the connection, so LabTunnel did not connect.</source>
        <translation>{host} 出示的密钥与 LabTunnel 已知的不同。可能有人在截获连接，因此 LabTunnel 没有连接。</translation>
    </message>
    <message>
        <source>Expected:</source>
        <translation>预期：</translation>
    </message>
    <message>
        <source>Known from:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <source>Server showed:</source>
        <translation>服务器出示：</translation>
    </message>
    <message>
        <source>Ask your lab admin whether the server was reinstalled. Only if they confirm the new fingerprint, remove the old key (command line: labtunnel hostkey forget {host}) and connect again.</source>
        <translation>请询问实验室管理员服务器是否重装过。只有在对方确认新指纹之后，才删除旧密钥（命令行：labtunnel hostkey forget {host}）并重新连接。</translation>
    </message>
    <message>
        <source>pinned in this server’s settings</source>
        <translation>已固定在此服务器的设置中</translation>
    </message>
    <message>
        <source>trusted earlier in LabTunnel</source>
        <translation>之前已在 LabTunnel 中信任</translation>
    </message>
</context>
<context>
    <name>ImportProfile</name>
    <message>
        <source>The address {address} on the server</source>
        <translation>服务器上的地址 {address}</translation>
    </message>
    <message>
        <source>JupyterLab (or Notebook if Lab is missing)</source>
        <translation>JupyterLab（没有 Lab 时用 Notebook）</translation>
    </message>
    <message>
        <source>JupyterLab</source>
        <translation>JupyterLab</translation>
    </message>
    <message>
        <source>Jupyter Notebook</source>
        <translation>Jupyter Notebook</translation>
    </message>
    <message>
        <source>{app} from {env}</source>
        <translation>{app}（来自 {env}）</translation>
    </message>
    <message>
        <source>Import lab profile</source>
        <extracomment>the profiles were saved (ImportPlan) importing failed; the error is shown in the dialog, which stays open</extracomment>
        <translation>导入实验室配置</translation>
    </message>
    <message>
        <source>Add “{name}” to LabTunnel</source>
        <translation>将“{name}”添加到 LabTunnel</translation>
    </message>
    <message>
        <source>Your lab admin prepared this lab server. Enter your user name and password on it; LabTunnel keeps the password in the system keyring.</source>
        <translation>这台实验室服务器已由实验室管理员配置好。请输入您在该服务器上的用户名和密码；LabTunnel 会把密码保存在系统密钥环中。</translation>
    </message>
    <message>
        <source>Import only files you got from your lab admin: the file decides which server LabTunnel trusts the first time. A server key LabTunnel already trusts is never replaced by the file&apos;s.</source>
        <translation>只导入从实验室管理员那里得到的文件：该文件决定 LabTunnel 第一次信任哪台服务器。LabTunnel 已经信任的服务器密钥绝不会被文件中的密钥取代。</translation>
    </message>
    <message>
        <source>your login</source>
        <translation>您的登录名</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <source>your password on the server</source>
        <translation>您在服务器上的密码</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>Use this password on the jump host {jump} too</source>
        <translation>在跳板机 {jump} 上也使用此密码</translation>
    </message>
    <message>
        <source>Tick this only if the jump host is your lab&apos;s gateway. Otherwise enter its password later in its own settings.</source>
        <translation>只有当跳板机是您实验室的网关时才勾选。否则请稍后在它自己的设置中输入它的密码。</translation>
    </message>
    <message>
        <source>the same user name</source>
        <translation>与上面的用户名相同</translation>
    </message>
    <message>
        <source>User name on the jump host:</source>
        <translation>跳板机上的用户名：</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Through:</source>
        <translation>经由：</translation>
    </message>
    <message>
        <source>Opens:</source>
        <translation>打开：</translation>
    </message>
    <message>
        <source>Also forwards:</source>
        <translation>同时转发：</translation>
    </message>
    <message>
        <source>Checked against the fingerprints in the file ({count})</source>
        <translation>已与文件中的指纹核对（{count} 个）</translation>
    </message>
    <message>
        <source>Server identity:</source>
        <translation>服务器身份：</translation>
    </message>
    <message>
        <source>Importing failed. See the log (Show log).</source>
        <translation>导入失败。详情请查看日志（菜单中的“查看日志”）。</translation>
    </message>
</context>
<context>
    <name>Jupyter</name>
    <message>
        <source>Jupyter on a private socket</source>
        <extracomment>kernels idle at least this long are ticked in &quot;Shut down idle kernels…&quot; the whole sentence, where the line is a short form of it</extracomment>
        <translation>Jupyter 在私有套接字上</translation>
    </message>
    <message>
        <source>Jupyter on port {port} of the server (not private)</source>
        <translation>Jupyter 在服务器的端口 {port} 上（非私有）</translation>
    </message>
    <message>
        <source>Kernels: not available right now</source>
        <translation>内核：暂时无法获取</translation>
    </message>
    <message>
        <source>No kernels running</source>
        <translation>没有正在运行的内核</translation>
    </message>
    <message>
        <source>Your kernels:</source>
        <translation>你的内核：</translation>
    </message>
    <message>
        <source>and {count} more</source>
        <translation>还有 {count} 个</translation>
    </message>
</context>
<context>
    <name>JupyterChoice</name>
    <message>
        <source>Choose Jupyter</source>
        <translation>选择 Jupyter</translation>
    </message>
    <message>
        <source>Which Jupyter should LabTunnel use?</source>
        <translation>LabTunnel 应该使用哪个 Jupyter？</translation>
    </message>
    <message>
        <source>On {server}, Jupyter is not where LabTunnel looks first, but it was found in these places. Pick the one you use; LabTunnel remembers it.</source>
        <translation>在 {server} 上，Jupyter 不在 LabTunnel 首先查找的位置，但在以下位置找到了它。请选择您使用的那个，LabTunnel 会记住您的选择。</translation>
    </message>
    <message>
        <source>Use this Jupyter</source>
        <translation>使用此 Jupyter</translation>
    </message>
</context>
<context>
    <name>Kernels</name>
    <message>
        <source>Shut down idle kernels</source>
        <translation>关闭空闲内核</translation>
    </message>
    <message>
        <source>Your kernels on {server}</source>
        <translation>你在 {server} 上的内核</translation>
    </message>
    <message>
        <source>Tick the kernels to shut down. Their notebooks stay as last saved; what only lives in a kernel&apos;s memory (variables, models on the GPU) is lost. Kernels idle for {minutes} minutes or more are ticked.</source>
        <translation>勾选要关闭的内核。笔记本保持最后一次保存时的内容；只存在于内核内存中的内容（变量、GPU 上的模型）会丢失。空闲 {minutes} 分钟或更久的内核已预先勾选。</translation>
    </message>
    <message>
        <source>Shut down</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Shut down {count}</source>
        <translation>关闭 {count} 个</translation>
    </message>
</context>
<context>
    <name>KeySetup</name>
    <message>
        <source>Use a key for {name}</source>
        <extracomment>a step of the work (KeyStep), from the worker thread the lab server&apos;s settings changed (its HostProfile): the menu must show it</extracomment>
        <translation>为 {name} 使用密钥</translation>
    </message>
    <message>
        <source>Use a key instead of your password</source>
        <translation>用密钥代替密码</translation>
    </message>
    <message>
        <source>LabTunnel makes a key for this computer, adds it to ~/.ssh/authorized_keys on {host} (your other keys stay as they are), signs in once with the key alone to check it, and from then on signs in with it. If anything goes wrong, nothing changes.</source>
        <translation>LabTunnel 会为这台电脑生成一个密钥，把它添加到 {host} 上的 ~/.ssh/authorized_keys（您的其他密钥保持不变），只用这个密钥登录一次进行检查，此后就用它登录。如果出现任何问题，什么都不会改变。</translation>
    </message>
    <message>
        <source>Make a new key (recommended)</source>
        <translation>生成新密钥（推荐）</translation>
    </message>
    <message>
        <source>Use a key I already have:</source>
        <translation>使用我已有的密钥：</translation>
    </message>
    <message>
        <source>e.g. ~/.ssh/id_ed25519</source>
        <translation>例如 ~/.ssh/id_ed25519</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>optional: locks the key file; kept in your keyring</source>
        <translation>可选：用于加密密钥文件；保存在您的密钥环中</translation>
    </message>
    <message>
        <source>Key passphrase:</source>
        <translation>密钥口令：</translation>
    </message>
    <message>
        <source>only if LabTunnel has not saved it</source>
        <translation>仅当 LabTunnel 尚未保存时才需要</translation>
    </message>
    <message>
        <source>Your password:</source>
        <translation>您的密码：</translation>
    </message>
    <message>
        <source>Delete the saved password</source>
        <translation>删除保存的密码</translation>
    </message>
    <message>
        <source>Use a key</source>
        <translation>使用密钥</translation>
    </message>
    <message>
        <source>Choose your private key</source>
        <translation>选择您的私钥</translation>
    </message>
    <message>
        <source>Choose the key file first.</source>
        <translation>请先选择密钥文件。</translation>
    </message>
    <message>
        <source>Password for {name}</source>
        <translation>{name} 的密码</translation>
    </message>
    <message>
        <source>Sign in with your password again</source>
        <translation>重新用密码登录</translation>
    </message>
    <message>
        <source>LabTunnel signs in to {host} with your password, takes its key off ~/.ssh/authorized_keys there (other keys stay) and from then on signs in with the password. If the password does not work, the key stays, so you cannot be locked out.</source>
        <translation>LabTunnel 会用您的密码登录 {host}，从那里的 ~/.ssh/authorized_keys 中移除它的密钥（其他密钥保留），此后用密码登录。如果密码不可用，密钥会保留，因此您不会被锁在外面。</translation>
    </message>
    <message>
        <source>Use my password again</source>
        <translation>重新使用我的密码</translation>
    </message>
</context>
<context>
    <name>LogViewer</name>
    <message>
        <source>LabTunnel log</source>
        <translation>LabTunnel 日志</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <source>The log is empty so far ({path}).</source>
        <translation>日志目前还是空的（{path}）。</translation>
    </message>
</context>
<context>
    <name>LoginItem</name>
    <message>
        <source>LabTunnel is running from the disk image or the Downloads folder, a place macOS does not keep. Drag LabTunnel to the Applications folder, open it from there, and turn on Launch at login again.</source>
        <translation>LabTunnel 正从磁盘映像或“下载”文件夹运行，macOS 不会保留这个位置。请把 LabTunnel 拖到“应用程序”文件夹，从那里打开，然后重新打开“登录时启动”。</translation>
    </message>
</context>
<context>
    <name>Notices</name>
    <message>
        <source>Connected to {name}</source>
        <translation>已连接到 {name}</translation>
    </message>
    <message>
        <source>Jupyter is ready. Click here to open it in your browser.</source>
        <translation>Jupyter 已就绪。点击此处在浏览器中打开。</translation>
    </message>
    <message>
        <source>Connected to {name}, with a warning</source>
        <translation>已连接到 {name}，但有一条警告</translation>
    </message>
    <message>
        <source>Connection to {name} re-established</source>
        <translation>与 {name} 的连接已恢复</translation>
    </message>
    <message>
        <source>Your notebooks are reachable again.</source>
        <translation>您的笔记本又可以访问了。</translation>
    </message>
    <message>
        <source>The connection dropped.</source>
        <translation>连接已中断。</translation>
    </message>
    <message>
        <source>Connection to {name} lost</source>
        <translation>与 {name} 的连接已断开</translation>
    </message>
    <message>
        <source>LabTunnel keeps trying to reconnect.</source>
        <translation>LabTunnel 会继续尝试重新连接。</translation>
    </message>
    <message>
        <source>Disconnected from {name}</source>
        <translation>已断开与 {name} 的连接</translation>
    </message>
    <message>
        <source>Jupyter keeps running on the server.</source>
        <translation>Jupyter 仍在服务器上运行。</translation>
    </message>
    <message>
        <source>Jupyter job of {name} ended</source>
        <translation>{name} 的 Jupyter 作业已结束</translation>
    </message>
    <message>
        <source>Choose “Start a new job” in the menu.</source>
        <translation>请在菜单中选择“启动新作业”。</translation>
    </message>
    <message>
        <source>Jupyter job of {name} ends soon</source>
        <translation>{name} 的 Jupyter 作业即将结束</translation>
    </message>
    <message>
        <source>Jupyter stopped on {name}</source>
        <translation>{name} 上的 Jupyter 已停止</translation>
    </message>
    <message>
        <source>Choose “Start Jupyter again” in the menu.</source>
        <translation>请在菜单中选择“重新启动 Jupyter”。</translation>
    </message>
    <message>
        <source>Jupyter on {name} shut down</source>
        <translation>{name} 上的 Jupyter 已关闭</translation>
    </message>
    <message>
        <source>Unsaved work in open notebooks is lost; saved files stay.</source>
        <translation>已打开的笔记本中未保存的内容已丢失；已保存的文件仍然保留。</translation>
    </message>
    <message>
        <source>Kernels shut down on {name}</source>
        <translation>已关闭 {name} 上的内核</translation>
    </message>
    <message>
        <source>{count} kernels were shut down; their GPU memory is free.</source>
        <translation>已关闭 {count} 个内核，它们占用的 GPU 显存已释放。</translation>
    </message>
    <message>
        <source>Not every kernel was shut down on {name}</source>
        <translation>{name} 上并非所有内核都已关闭</translation>
    </message>
    <message>
        <source>{count} kernels were shut down; Jupyter refused the others.</source>
        <translation>已关闭 {count} 个内核；其余的被 Jupyter 拒绝。</translation>
    </message>
    <message>
        <source>Could not stop Jupyter on {name}</source>
        <translation>无法停止 {name} 上的 Jupyter</translation>
    </message>
    <message>
        <source>The reason is in the log.</source>
        <translation>原因记录在日志中。</translation>
    </message>
    <message>
        <source>Could not connect to {name}</source>
        <translation>无法连接到 {name}</translation>
    </message>
</context>
<context>
    <name>OneTimeCode</name>
    <message>
        <source>One-time code</source>
        <translation>一次性验证码</translation>
    </message>
    <message>
        <source>{host} asks for a one-time code</source>
        <translation>{host} 需要一次性验证码</translation>
    </message>
    <message>
        <source>Code:</source>
        <translation>验证码：</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>ProfileEditor</name>
    <message>
        <source>Add lab server</source>
        <extracomment>the SSH port has no label of its own: its problems show under the address; the extra forwards&apos; problems show under their table keyring work runs here, never on the GUI thread the profile was stored (HostProfile); ``connect_requested`` says whether to connect now saving failed; the error is shown in the dialog, which stays open an existing profile&apos;s stored secrets were looked up (in the background)</extracomment>
        <translation>添加实验室服务器</translation>
    </message>
    <message>
        <source>Edit {name}</source>
        <translation>编辑 {name}</translation>
    </message>
    <message>
        <source>Welcome to LabTunnel</source>
        <translation>欢迎使用 LabTunnel</translation>
    </message>
    <message>
        <source>Enter your lab server’s address, your user name and your password. LabTunnel then starts Jupyter there and opens it in your browser.</source>
        <translation>请输入实验室服务器的地址、您的用户名和密码。LabTunnel 随后会在服务器上启动 Jupyter，并在浏览器中打开它。</translation>
    </message>
    <message>
        <source>More options</source>
        <translation>更多选项</translation>
    </message>
    <message>
        <source>Lab server</source>
        <extracomment>whether the keyring has said which secrets are stored (a new profile has none)</extracomment>
        <translation>实验室服务器</translation>
    </message>
    <message>
        <source>e.g. gpu1.lab.example.edu</source>
        <translation>例如 gpu1.lab.example.edu</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <source>your login</source>
        <translation>您的登录名</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <source>shown in the menu</source>
        <translation>显示在菜单中</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Sign in with</source>
        <translation>登录方式</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Key file</source>
        <translation>密钥文件</translation>
    </message>
    <message>
        <source>SSH agent</source>
        <translation>SSH agent</translation>
    </message>
    <message>
        <source>your password on the server</source>
        <translation>您在服务器上的密码</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>e.g. ~/.ssh/id_ed25519</source>
        <translation>例如 ~/.ssh/id_ed25519</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Key file:</source>
        <translation>密钥文件：</translation>
    </message>
    <message>
        <source>only if the key is encrypted</source>
        <translation>仅当密钥已加密时填写</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>密钥口令：</translation>
    </message>
    <message>
        <source>Uses the keys loaded in your SSH agent.</source>
        <translation>使用 SSH agent 中已加载的密钥。</translation>
    </message>
    <message>
        <source>Connect through a jump host</source>
        <translation>通过跳板机连接</translation>
    </message>
    <message>
        <source>This address:</source>
        <translation>此地址：</translation>
    </message>
    <message>
        <source>Lab server “{name}”</source>
        <translation>实验室服务器“{name}”</translation>
    </message>
    <message>
        <source>Jump host:</source>
        <translation>跳板机：</translation>
    </message>
    <message>
        <source>[user@]host[:port]</source>
        <translation>[用户名@]主机[:端口]</translation>
    </message>
    <message>
        <source>On the server</source>
        <translation>在服务器上</translation>
    </message>
    <message>
        <source>Find or start my Jupyter</source>
        <translation>查找或启动我的 Jupyter</translation>
    </message>
    <message>
        <source>Forward a fixed address</source>
        <translation>转发固定地址</translation>
    </message>
    <message>
        <source>Automatic (JupyterLab if installed, else Notebook)</source>
        <translation>自动（已安装 JupyterLab 时用它，否则用 Notebook）</translation>
    </message>
    <message>
        <source>JupyterLab</source>
        <translation>JupyterLab</translation>
    </message>
    <message>
        <source>Jupyter Notebook</source>
        <translation>Jupyter Notebook</translation>
    </message>
    <message>
        <source>Open:</source>
        <translation>打开：</translation>
    </message>
    <message>
        <source>conda env, venv folder or path to jupyter</source>
        <translation>conda 环境、venv 文件夹或 jupyter 的路径</translation>
    </message>
    <message>
        <source>Empty: the jupyter found on the server’s login PATH.</source>
        <translation>留空：使用服务器登录 PATH 中找到的 jupyter。</translation>
    </message>
    <message>
        <source>Environment:</source>
        <translation>环境：</translation>
    </message>
    <message>
        <source>your home folder</source>
        <translation>您的主文件夹</translation>
    </message>
    <message>
        <source>Start in:</source>
        <translation>起始文件夹：</translation>
    </message>
    <message>
        <source>Any free GPU</source>
        <translation>任一空闲 GPU</translation>
    </message>
    <message>
        <source>All GPUs</source>
        <translation>所有 GPU</translation>
    </message>
    <message>
        <source>No GPU</source>
        <translation>不使用 GPU</translation>
    </message>
    <message>
        <source>GPU {index}</source>
        <translation>{index} 号 GPU</translation>
    </message>
    <message>
        <source>Used when LabTunnel starts Jupyter: “Any free GPU” picks the least busy one (nvidia-smi on the server). A Jupyter already running keeps its GPUs.</source>
        <translation>在 LabTunnel 启动 Jupyter 时生效：“任一空闲 GPU”会选择最空闲的一块（依据服务器上的 nvidia-smi）。已在运行的 Jupyter 保留它原有的 GPU。</translation>
    </message>
    <message>
        <source>GPU:</source>
        <translation>GPU：</translation>
    </message>
    <message>
        <source>On this server</source>
        <translation>在此服务器上</translation>
    </message>
    <message>
        <source>In a Slurm job (this server is the login node)</source>
        <translation>在 Slurm 作业中（此服务器是登录节点）</translation>
    </message>
    <message>
        <source>On a Slurm cluster LabTunnel submits a batch job through the login node, waits in the queue, and opens the Jupyter that runs in the job on a compute node.</source>
        <translation>在 Slurm 集群上，LabTunnel 通过登录节点提交批处理作业，在队列中等待，然后打开在计算节点上的作业中运行的 Jupyter。</translation>
    </message>
    <message>
        <source>Jupyter runs:</source>
        <translation>Jupyter 运行位置：</translation>
    </message>
    <message>
        <source>host:port, e.g. localhost:8888</source>
        <translation>主机:端口，例如 localhost:8888</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Local port:</source>
        <translation>本地端口：</translation>
    </message>
    <message>
        <source>Empty: the cluster&apos;s default partition. “Test connection” fills in the partitions sinfo lists.</source>
        <translation>留空：使用集群的默认分区。“测试连接”会填入 sinfo 列出的分区。</translation>
    </message>
    <message>
        <source>the cluster&apos;s default</source>
        <translation>集群默认值</translation>
    </message>
    <message>
        <source>Partition:</source>
        <translation>分区：</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>GPUs:</source>
        <translation>GPU 数：</translation>
    </message>
    <message>
        <source>CPUs:</source>
        <translation>CPU 数：</translation>
    </message>
    <message>
        <source>the cluster&apos;s default, e.g. 16G</source>
        <translation>集群默认值，例如 16G</translation>
    </message>
    <message>
        <source>Memory:</source>
        <translation>内存：</translation>
    </message>
    <message>
        <source>the partition&apos;s default, e.g. 4:00:00 or 1-00:00:00</source>
        <translation>分区默认值，例如 4:00:00 或 1-00:00:00</translation>
    </message>
    <message>
        <source>Time limit:</source>
        <translation>时间限制：</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>Account:</source>
        <translation>账户：</translation>
    </message>
    <message>
        <source>QoS:</source>
        <translation>QoS（服务质量）：</translation>
    </message>
    <message>
        <source>one sbatch option per line, e.g. --constraint=a100</source>
        <translation>每行一个 sbatch 选项，例如 --constraint=a100</translation>
    </message>
    <message>
        <source>Extra #SBATCH lines:</source>
        <translation>额外的 #SBATCH 行：</translation>
    </message>
    <message>
        <source>{name} (default)</source>
        <translation>{name}（默认）</translation>
    </message>
    <message>
        <source>Also forward (TensorBoard, dashboards…)</source>
        <translation>同时转发（TensorBoard、仪表板等）</translation>
    </message>
    <message>
        <source>Name in the menu</source>
        <translation>菜单中的名称</translation>
    </message>
    <message>
        <source>Address on the server</source>
        <translation>服务器上的地址</translation>
    </message>
    <message>
        <source>Add forward</source>
        <translation>添加转发</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Each gets its own local port, kept across reconnects, and an “Open” item in the menu. The address is as seen from the server, e.g. localhost:6006.</source>
        <translation>每个转发都有自己的本地端口（重新连接后保持不变），并在菜单中有一个“打开”项。地址是从服务器上看到的地址，例如 localhost:6006。</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save and connect</source>
        <translation>保存并连接</translation>
    </message>
    <message>
        <source>GPUs {list}</source>
        <translation>GPU（编号 {list}）</translation>
    </message>
    <message>
        <source>Choose your private key</source>
        <translation>选择您的私钥</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <source>Signed in, but: {problem}</source>
        <translation>已登录，但是：{problem}</translation>
    </message>
    <message>
        <source>It works: LabTunnel reached the server and signed in.</source>
        <translation>测试成功：LabTunnel 已连上服务器并登录。</translation>
    </message>
    <message>
        <source>The server answered; check its identity to go on.</source>
        <translation>服务器已应答；请核对它的身份以继续。</translation>
    </message>
    <message>
        <source>The test failed.</source>
        <translation>测试失败。</translation>
    </message>
    <message>
        <source>Trust and test again</source>
        <translation>信任并重新测试</translation>
    </message>
    <message>
        <source>Saving failed. See the log (Show log).</source>
        <translation>保存失败。详情请查看日志（菜单中的“查看日志”）。</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>已保存在系统密钥环中</translation>
    </message>
</context>
<context>
    <name>Servers</name>
    <message>
        <source>Lab servers</source>
        <translation>实验室服务器</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>{name}  ·  {user}@{host}  ·  {state}</source>
        <translation>{name}  ·  {user}@{host}  ·  {state}</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>LabTunnel settings</source>
        <extracomment>the settings were saved (AppSettings)</extracomment>
        <translation>LabTunnel 设置</translation>
    </message>
    <message>
        <source>The first in the list</source>
        <translation>列表中的第一台</translation>
    </message>
    <message>
        <source>Connected by a double click on the tray icon.</source>
        <translation>双击托盘图标时连接此服务器。</translation>
    </message>
    <message>
        <source>Default lab server:</source>
        <translation>默认实验室服务器：</translation>
    </message>
    <message>
        <source>Connect to the default lab server when LabTunnel starts</source>
        <translation>LabTunnel 启动时连接到默认实验室服务器</translation>
    </message>
    <message>
        <source>The browser is not opened: choose Open in browser in the menu when you need it.</source>
        <translation>不会自动打开浏览器：需要时请在菜单中选择“在浏览器中打开”。</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>The new language is used after LabTunnel restarts.</source>
        <translation>新的语言将在 LabTunnel 重新启动后生效。</translation>
    </message>
    <message>
        <source>Start LabTunnel when I log in</source>
        <translation>登录时启动 LabTunnel</translation>
    </message>
    <message>
        <source>Not available on this system.</source>
        <translation>此系统不支持。</translation>
    </message>
    <message>
        <source>Show notifications (connected, lost, failed)</source>
        <translation>显示通知（已连接、连接中断、连接失败）</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Check for a newer version when LabTunnel starts</source>
        <translation>LabTunnel 启动时检查是否有新版本</translation>
    </message>
    <message>
        <source>Asks GitHub which LabTunnel release is the latest. Nothing about you or your computer is sent.</source>
        <translation>向 GitHub 询问 LabTunnel 的最新版本。不会发送任何关于您或您电脑的信息。</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>立即检查</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <source>Download it from the release page</source>
        <translation>从发布页面下载</translation>
    </message>
    <message>
        <source>Launch at login could not be changed: {reason}</source>
        <translation>无法更改“登录时启动”：{reason}</translation>
    </message>
</context>
<context>
    <name>SshImport</name>
    <message>
        <source>key {file}</source>
        <translation>密钥 {file}</translation>
    </message>
    <message>
        <source>password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>{alias}  ·  {place}  ·  {how}</source>
        <translation>{alias}  ·  {place}  ·  {how}</translation>
    </message>
    <message>
        <source>via {jump}</source>
        <translation>经由 {jump}</translation>
    </message>
    <message>
        <source>Import from SSH config</source>
        <extracomment>profiles were saved (list of HostProfile); also after a partial failure</extracomment>
        <translation>从 SSH 配置导入</translation>
    </message>
    <message>
        <source>Lab servers from your SSH config</source>
        <translation>来自您的 SSH 配置的实验室服务器</translation>
    </message>
    <message>
        <source>Tick the hosts to add as lab servers. LabTunnel takes the address, user, port, key file and jump host; passwords are asked when you connect.</source>
        <translation>勾选要添加为实验室服务器的主机。LabTunnel 会导入地址、用户名、端口、密钥文件和跳板机；密码在连接时再询问。</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Not imported:</source>
        <translation>未导入：</translation>
    </message>
    <message>
        <source>Import selected</source>
        <translation>导入所选主机</translation>
    </message>
    <message>
        <source>No new hosts to import.</source>
        <translation>没有可导入的新主机。</translation>
    </message>
    <message>
        <source>Choose an SSH config file</source>
        <translation>选择 SSH 配置文件</translation>
    </message>
</context>
<context>
    <name>States</name>
    <message>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>Connection lost, retrying in {seconds} s</source>
        <translation>连接已断开，{seconds} 秒后重试</translation>
    </message>
    <message>
        <source>Connection lost, reconnecting…</source>
        <translation>连接已断开，正在重新连接…</translation>
    </message>
    <message>
        <source>Jupyter stopped on the server</source>
        <translation>服务器上的 Jupyter 已停止</translation>
    </message>
    <message>
        <source>Waiting in the Slurm queue</source>
        <translation>正在 Slurm 队列中等待</translation>
    </message>
    <message>
        <source>Jupyter job ended</source>
        <translation>Jupyter 作业已结束</translation>
    </message>
    <message>
        <source>Could not connect</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
</context>
<context>
    <name>Stats</name>
    <message>
        <source>{pct} % busy</source>
        <translation>占用 {pct}%</translation>
    </message>
    <message>
        <source>{used} of {total} GB used</source>
        <translation>已用 {used} / {total} GB</translation>
    </message>
    <message>
        <source>no figures</source>
        <translation>暂无数据</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>GPU {index} {name}: {details}</source>
        <translation>GPU {index} {name}：{details}</translation>
    </message>
    <message>
        <source>{count} GPUs: {idle} idle, {average} % busy on average</source>
        <translation>{count} 块 GPU：{idle} 块空闲，平均占用 {average}%</translation>
    </message>
    <message>
        <source>GPUs: nvidia-smi did not answer</source>
        <translation>GPU：nvidia-smi 没有响应</translation>
    </message>
    <message>
        <source>CPU load {load:.1f} on {cpus} cores</source>
        <translation>CPU 负载 {load:.1f}（共 {cpus} 核）</translation>
    </message>
    <message>
        <source>CPU load {load:.1f}</source>
        <translation>CPU 负载 {load:.1f}</translation>
    </message>
    <message>
        <source>Free memory {free} of {total} GB</source>
        <translation>可用内存 {free} / {total} GB</translation>
    </message>
    <message>
        <source>Server figures are not available right now</source>
        <translation>暂时无法获取服务器数据</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>{name}: {state}</source>
        <translation>{name}：{state}</translation>
    </message>
    <message>
        <source>No lab server yet</source>
        <translation>还没有实验室服务器</translation>
    </message>
</context>
<context>
    <name>TrayMenu</name>
    <message>
        <source>Add lab server…</source>
        <extracomment>switch launch at login; False when it could not be changed (the user was told) &quot;Shut down idle kernels…&quot; for a profile &quot;Stop Jupyter&quot; of a Slurm profile: ask, then cancel its job &quot;Use a key instead of my password…&quot; and back for a profile; None: not offered</extracomment>
        <translation>添加实验室服务器…</translation>
    </message>
    <message>
        <source>Import lab profile…</source>
        <translation>导入实验室配置…</translation>
    </message>
    <message>
        <source>Import from SSH config…</source>
        <translation>从 SSH 配置导入…</translation>
    </message>
    <message>
        <source>Manage servers…</source>
        <translation>管理服务器…</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>查看日志</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>About LabTunnel</source>
        <translation>关于 LabTunnel</translation>
    </message>
    <message>
        <source>Quit LabTunnel</source>
        <translation>退出 LabTunnel</translation>
    </message>
    <message>
        <source>Connect to {name}</source>
        <translation>连接到 {name}</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>What went wrong?</source>
        <translation>出了什么问题？</translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation>在浏览器中打开</translation>
    </message>
    <message>
        <source>Copy URL</source>
        <translation>复制网址</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>断开连接</translation>
    </message>
    <message>
        <source>Stop Jupyter on server</source>
        <translation>停止服务器上的 Jupyter</translation>
    </message>
    <message>
        <source>Start Jupyter again</source>
        <translation>重新启动 Jupyter</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>立即重试</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Disconnect (the job keeps running)</source>
        <translation>断开连接（作业继续运行）</translation>
    </message>
    <message>
        <source>Stop Jupyter (cancel the job)…</source>
        <translation>停止 Jupyter（取消作业）…</translation>
    </message>
    <message>
        <source>Start a new job</source>
        <translation>启动新作业</translation>
    </message>
    <message>
        <source>Cancel job {job}</source>
        <translation>取消作业 {job}</translation>
    </message>
    <message>
        <source>Disconnect (the job stays in the queue)</source>
        <translation>断开连接（作业留在队列中）</translation>
    </message>
    <message>
        <source>Use a key instead of my password…</source>
        <translation>用密钥代替我的密码…</translation>
    </message>
    <message>
        <source>Sign in with my password again…</source>
        <translation>重新用我的密码登录…</translation>
    </message>
    <message>
        <source>Open {name}</source>
        <translation>打开 {name}</translation>
    </message>
    <message>
        <source>{name}: not answering</source>
        <translation>{name}：没有响应</translation>
    </message>
    <message>
        <source>{name}: {state}</source>
        <translation>{name}：{state}</translation>
    </message>
    <message>
        <source>Shut down idle kernels…</source>
        <translation>关闭空闲内核…</translation>
    </message>
    <message>
        <source>Launch at login</source>
        <translation>登录时启动</translation>
    </message>
</context>
<context>
    <name>Windows</name>
    <message>
        <source>Import lab profile</source>
        <extracomment>asks for a lab profile file to import; None when the person cancelled</extracomment>
        <translation>导入实验室配置</translation>
    </message>
    <message>
        <source>LabTunnel lab profiles (*.labtunnel);;All files (*)</source>
        <translation>LabTunnel 实验室配置 (*.labtunnel);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Stop Jupyter</source>
        <extracomment>any window this object opened (for tests and the screenshot script) a lab server was removed (its id), after its secrets and state went with it switching profiles between password and key; None: not offered keyring work (saving, removing, importing) runs here, never on the GUI thread</extracomment>
        <translation>停止 Jupyter</translation>
    </message>
    <message>
        <source>Cancel Slurm job {job} on {node}? Jupyter and its kernels end, and unsaved work in open notebooks is lost; saved files stay.</source>
        <translation>要取消 {node} 上的 Slurm 作业 {job} 吗？Jupyter 及其内核会结束，打开的笔记本中未保存的工作会丢失；已保存的文件会保留。</translation>
    </message>
    <message>
        <source>Edit lab server</source>
        <translation>编辑实验室服务器</translation>
    </message>
    <message>
        <source>Remove “{name}”? Its saved password and settings are deleted. Jupyter on the server is not touched.</source>
        <translation>要删除“{name}”吗？它保存的密码和设置都会被删除。服务器上的 Jupyter 不受影响。</translation>
    </message>
    <message>
        <source>Remove lab server</source>
        <translation>删除实验室服务器</translation>
    </message>
    <message>
        <source>No error was recorded. The log may say more.</source>
        <translation>没有记录到错误。日志中可能有更多信息。</translation>
    </message>
    <message>
        <source>Could not connect to {name}</source>
        <translation>无法连接到 {name}</translation>
    </message>
    <message>
        <source>About LabTunnel</source>
        <translation>关于 LabTunnel</translation>
    </message>
    <message>
        <source>LabTunnel {version}

Reach Jupyter on your lab’s server from the system tray: LabTunnel signs in over SSH, finds or starts your Jupyter there and opens it in your browser through a private tunnel.</source>
        <translation>LabTunnel {version}

从系统托盘访问实验室服务器上的 Jupyter：LabTunnel 通过 SSH 登录，在服务器上查找或启动您的 Jupyter，并通过私有隧道在浏览器中打开它。</translation>
    </message>
    <message>
        <source>A newer LabTunnel</source>
        <translation>LabTunnel 有新版本</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Launch at login</source>
        <translation>登录时启动</translation>
    </message>
    <message>
        <source>LabTunnel could not change this setting: {reason}</source>
        <translation>LabTunnel 无法更改此设置：{reason}</translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation>在浏览器中打开</translation>
    </message>
    <message>
        <source>LabTunnel could not open your browser ({detail}). Choose “Copy URL” in the menu and paste it into your browser’s address bar.</source>
        <translation>LabTunnel 无法打开您的浏览器（{detail}）。请在菜单中选择“复制网址”，然后粘贴到浏览器的地址栏。</translation>
    </message>
    <message>
        <source>Could not trust the server</source>
        <translation>无法信任该服务器</translation>
    </message>
    <message>
        <source>Choose Jupyter</source>
        <translation>选择 Jupyter</translation>
    </message>
    <message>
        <source>“{name}” was added. Its server identity is already checked. Connect now?</source>
        <translation>已添加“{name}”。服务器身份已经核对过。现在连接吗？</translation>
    </message>
    <message>
        <source>Lab server added</source>
        <translation>已添加实验室服务器</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>SSH port</source>
        <translation>SSH 端口</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Key file</source>
        <translation>密钥文件</translation>
    </message>
    <message>
        <source>Jump host</source>
        <translation>跳板机</translation>
    </message>
    <message>
        <source>Remote address</source>
        <translation>远程地址</translation>
    </message>
    <message>
        <source>Local port</source>
        <translation>本地端口</translation>
    </message>
    <message>
        <source>Keepalive interval</source>
        <translation>保活间隔</translation>
    </message>
    <message>
        <source>Keepalive count</source>
        <translation>保活次数</translation>
    </message>
    <message>
        <source>Connect timeout</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU 设置</translation>
    </message>
    <message>
        <source>Connections at once</source>
        <translation>同时连接数</translation>
    </message>
    <message>
        <source>Connections opening at once</source>
        <translation>同时建立中的连接数</translation>
    </message>
    <message>
        <source>Pinned host key</source>
        <translation>固定的主机密钥</translation>
    </message>
    <message>
        <source>Partition</source>
        <translation>分区</translation>
    </message>
    <message>
        <source>GPUs</source>
        <translation>GPU 数</translation>
    </message>
    <message>
        <source>CPUs</source>
        <translation>CPU 数</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Time limit</source>
        <translation>时间限制</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>QoS</source>
        <translation>QoS（服务质量）</translation>
    </message>
    <message>
        <source>Extra #SBATCH lines</source>
        <translation>额外的 #SBATCH 行</translation>
    </message>
    <message>
        <source>Extra forwards</source>
        <translation>额外转发</translation>
    </message>
    <message>
        <source>Forward name</source>
        <translation>转发名称</translation>
    </message>
    <message>
        <source>Forward address</source>
        <translation>转发地址</translation>
    </message>
    <message>
        <source>{field} is empty: please fill it in.</source>
        <translation>{field}为空，请填写。</translation>
    </message>
    <message>
        <source>{field}: another lab server is already called “{value}”. Choose another name.</source>
        <translation>{field}：已有另一台实验室服务器名为“{value}”。请换一个名称。</translation>
    </message>
    <message>
        <source>{field} “{value}” is not a valid host name or IP address.</source>
        <translation>{field}“{value}”不是有效的主机名或 IP 地址。</translation>
    </message>
    <message>
        <source>{field} {value} is not a valid port: use a number from 1 to 65535.</source>
        <translation>{field} {value} 不是有效的端口：请使用 1 到 65535 之间的数字。</translation>
    </message>
    <message>
        <source>{field}: the file {value} does not exist. Choose the private key file.</source>
        <translation>{field}：文件 {value} 不存在。请选择私钥文件。</translation>
    </message>
    <message>
        <source>{field}: {value} is not a file. Choose the private key file.</source>
        <translation>{field}：{value} 不是文件。请选择私钥文件。</translation>
    </message>
    <message>
        <source>{field} “{value}” contains spaces: enter the user name only.</source>
        <translation>{field}“{value}”包含空格：请只输入用户名。</translation>
    </message>
    <message>
        <source>{field}: a server cannot be its own jump host.</source>
        <translation>{field}：服务器不能把自己用作跳板机。</translation>
    </message>
    <message>
        <source>{field}: the lab server it names no longer exists. Choose another.</source>
        <translation>{field}：它指向的实验室服务器已不存在。请另选一台。</translation>
    </message>
    <message>
        <source>{field}: the jump hosts lead in a circle. Remove one of them.</source>
        <translation>{field}：跳板机之间形成了循环。请去掉其中一台。</translation>
    </message>
    <message>
        <source>{field} {value} is out of range.</source>
        <translation>{field} {value} 超出范围。</translation>
    </message>
    <message>
        <source>{field}: this lab server forwards {value}, not Jupyter.</source>
        <translation>{field}：此实验室服务器转发的是 {value}，而不是 Jupyter。</translation>
    </message>
    <message>
        <source>{field} “{value}” is not a SHA256 fingerprint (SHA256:…, 43 characters).</source>
        <translation>{field}“{value}”不是 SHA256 指纹（格式为 SHA256:…，共 43 个字符）。</translation>
    </message>
    <message>
        <source>{field} “{value}” is not a GPU setting: use any, all, none or GPU numbers such as 1 or 0,2.</source>
        <translation>{field}“{value}”不是有效的 GPU 设置：请使用 any、all、none 或 GPU 编号（如 1 或 0,2）。</translation>
    </message>
    <message>
        <source>{field} “{value}” is not a Slurm name: use letters, digits, -, _ and . only.</source>
        <translation>{field}“{value}”不是有效的 Slurm 名称：只能使用字母、数字、-、_ 和 .。</translation>
    </message>
    <message>
        <source>{field} “{value}” is not a memory size: use a number with M or G, like 16G.</source>
        <translation>{field}“{value}”不是内存大小：请用带 M 或 G 的数字，例如 16G。</translation>
    </message>
    <message>
        <source>{field} “{value}” is not a Slurm time limit: use minutes, H:MM:SS or D-HH:MM:SS, like 4:00:00.</source>
        <translation>{field}“{value}”不是 Slurm 时间限制：请用分钟数、H:MM:SS 或 D-HH:MM:SS，例如 4:00:00。</translation>
    </message>
    <message>
        <source>{field}: “{value}” is not an sbatch option (one per line, starting with -, like --constraint=a100).</source>
        <translation>{field}：“{value}”不是 sbatch 选项（每行一个，以 - 开头，例如 --constraint=a100）。</translation>
    </message>
    <message>
        <source>{field}: LabTunnel sets {value} itself. Remove that line.</source>
        <translation>{field}：{value} 由 LabTunnel 自己设置。请删除这一行。</translation>
    </message>
    <message>
        <source>{field}: two extra forwards are called “{value}”. Give each its own name.</source>
        <translation>{field}：有两个额外转发都叫“{value}”。请给每个转发起不同的名称。</translation>
    </message>
    <message>
        <source>{field} “{value}” is too long or has control characters: use a short name (at most 40 characters).</source>
        <translation>{field}“{value}”太长或包含控制字符：请使用简短的名称（最多 40 个字符）。</translation>
    </message>
    <message>
        <source>{field}: at most {value} per lab server.</source>
        <translation>{field}：每台实验室服务器最多 {value} 个。</translation>
    </message>
    <message>
        <source>{field} “{value}” is not NAME=HOST:PORT, e.g. TensorBoard=localhost:6006.</source>
        <translation>{field}“{value}”不是 NAME=HOST:PORT 格式，例如 TensorBoard=localhost:6006。</translation>
    </message>
    <message>
        <source>{field}: this lab server has no extra forward called “{value}”.</source>
        <translation>{field}：这台实验室服务器没有名为“{value}”的额外转发。</translation>
    </message>
    <message>
        <source>Saved the changes to “{name}”.</source>
        <translation>已保存对“{name}”的更改。</translation>
    </message>
    <message>
        <source>Nothing to change: name at least one setting (see labtunnel profile set --help).</source>
        <translation>没有要更改的内容：请至少指定一项设置（见 labtunnel profile set --help）。</translation>
    </message>
    <message>
        <source>{field} is not valid.</source>
        <translation>{field}无效。</translation>
    </message>
    <message>
        <source>{field} {value} is not valid: use 0 (pick a free port) or 1 to 65535.</source>
        <translation>{field} {value} 无效：请使用 0（自动选择空闲端口）或 1 到 65535。</translation>
    </message>
    <message>
        <source>The lab server settings are not valid. {details}</source>
        <translation>实验室服务器的设置无效。{details}</translation>
    </message>
    <message>
        <source>LabTunnel cannot read its settings file {path} ({detail}). The file was left as it is and a copy was saved as {backup}. Fix or move the file away, then restart LabTunnel; until then changes cannot be saved.</source>
        <translation>LabTunnel 无法读取其设置文件 {path}（{detail}）。该文件保持原样，并已另存一份副本为 {backup}。请修复该文件或将其移走，然后重新启动 LabTunnel；在此之前无法保存任何更改。</translation>
    </message>
    <message>
        <source>LabTunnel cannot read its settings file {path} ({detail}). The file was left as it is. Fix or move it away, then restart LabTunnel; until then changes cannot be saved.</source>
        <translation>LabTunnel 无法读取其设置文件 {path}（{detail}）。该文件保持原样。请修复该文件或将其移走，然后重新启动 LabTunnel；在此之前无法保存任何更改。</translation>
    </message>
    <message>
        <source>{path} is a public key. Choose the private key file (the one without .pub).</source>
        <translation>{path} 是公钥。请选择私钥文件（不带 .pub 的那个）。</translation>
    </message>
    <message>
        <source>{path} is a PuTTY key. Export it in OpenSSH format with PuTTYgen (Conversions → Export OpenSSH key) and choose that file.</source>
        <translation>{path} 是 PuTTY 密钥。请用 PuTTYgen 将其导出为 OpenSSH 格式（Conversions → Export OpenSSH key），然后选择导出的文件。</translation>
    </message>
    <message>
        <source>{path} is not a private key LabTunnel can use. Choose an ed25519, ECDSA or RSA private key in OpenSSH or PEM format.</source>
        <translation>{path} 不是 LabTunnel 能使用的私钥。请选择 OpenSSH 或 PEM 格式的 ed25519、ECDSA 或 RSA 私钥。</translation>
    </message>
    <message>
        <source>{host} does not allow port forwarding (AllowTcpForwarding is off). Ask your lab admin to enable it for your account.</source>
        <translation>{host} 不允许端口转发（AllowTcpForwarding 已关闭）。请让实验室管理员为您的账户开启端口转发。</translation>
    </message>
    <message>
        <source>Jupyter on {host} does not answer through the tunnel. Try “Stop Jupyter on server”, then connect again.</source>
        <translation>{host} 上的 Jupyter 无法通过隧道访问。请尝试“停止服务器上的 Jupyter”，然后重新连接。</translation>
    </message>
    <message>
        <source>{host} could not reach {dest_host}:{dest_port}. Check that the service runs on the server and that the remote address in the profile is right.</source>
        <translation>{host} 无法访问 {dest_host}:{dest_port}。请检查该服务是否在服务器上运行，以及配置中的远程地址是否正确。</translation>
    </message>
    <message>
        <source>{host} did not forward to your Jupyter&apos;s private socket {path}: the socket is gone, or the server no longer allows forwarding to sockets. Connect again: LabTunnel then finds or starts a Jupyter it can reach.</source>
        <translation>{host} 没有转发到你的 Jupyter 私有套接字 {path}：该套接字已不存在，或服务器不再允许转发到套接字。请重新连接：LabTunnel 会找到或启动一个可以连上的 Jupyter。</translation>
    </message>
    <message>
        <source>The SSH connection to {host} cannot reach a Jupyter that listens on a socket ({path}). Connect again: LabTunnel then starts one on a port of the server&apos;s 127.0.0.1.</source>
        <translation>到 {host} 的 SSH 连接无法访问监听在套接字上的 Jupyter（{path}）。请重新连接：LabTunnel 会在服务器的 127.0.0.1 的一个端口上启动 Jupyter。</translation>
    </message>
    <message>
        <source>{name}: nothing answers at {remote} on the server yet. Start it there; LabTunnel keeps its local port and notices when it answers.</source>
        <translation>{name}：服务器上的 {remote} 还没有响应。请在服务器上启动它；LabTunnel 会保留它的本地端口，并在它响应时察觉。</translation>
    </message>
    <message>
        <source>{name}: the server does not allow forwarding to {remote} (PermitOpen). Ask your lab admin to allow it.</source>
        <translation>{name}：服务器不允许转发到 {remote}（PermitOpen）。请联系实验室管理员允许此转发。</translation>
    </message>
    <message>
        <source>{name}: LabTunnel could not open a local port for it on this computer. The log says why; connect again to retry.</source>
        <translation>{name}：LabTunnel 无法在这台电脑上为它打开本地端口。原因见日志；请重新连接以重试。</translation>
    </message>
    <message>
        <source>{name} answers now at {url}.</source>
        <translation>{name} 现在可以通过 {url} 访问。</translation>
    </message>
    <message>
        <source>No key passphrase is saved for “{profile}”. Edit the lab server and enter it.</source>
        <translation>没有为“{profile}”保存密钥口令。请编辑该实验室服务器并输入口令。</translation>
    </message>
    <message>
        <source>No password is saved for “{profile}”. Edit the lab server and enter your password (or run: labtunnel profile set-password &quot;{profile}&quot;).</source>
        <translation>没有为“{profile}”保存密码。请编辑该实验室服务器并输入您的密码（或运行：labtunnel profile set-password &quot;{profile}&quot;）。</translation>
    </message>
    <message>
        <source>Via the jump host {jump}: {reason}</source>
        <translation>经由跳板机 {jump}：{reason}</translation>
    </message>
    <message>
        <source>WARNING: the identity of {host} has changed. LabTunnel expected the key {expected} ({source}) but the server showed {key_type} {actual}. Someone may be intercepting the connection, so LabTunnel refused to connect. Ask your lab admin whether the server was reinstalled; only then remove the old key (labtunnel hostkey forget {host}) and connect again.</source>
        <translation>警告：{host} 的身份已改变。LabTunnel 预期的密钥是 {expected}（{source}），但服务器出示的是 {key_type} {actual}。可能有人在截获连接，因此 LabTunnel 拒绝连接。请询问实验室管理员服务器是否重装过；只有确认之后，才删除旧密钥（labtunnel hostkey forget {host}）并重新连接。</translation>
    </message>
    <message>
        <source>Something unexpected went wrong ({kind}). See the log (Show log) for details.</source>
        <extracomment>sentence ends after which a joined sentence needs no space (CJK full-width punctuation) placeholders filled with messages (joined as sentences), translated like the template</extracomment>
        <translation>发生了意外错误（{kind}）。详情请查看日志（菜单中的“查看日志”）。</translation>
    </message>
    <message>
        <source>LabTunnel could not finish: {detail}. See the log (Show log) for details.</source>
        <translation>LabTunnel 未能完成操作：{detail}。详情请查看日志（菜单中的“查看日志”）。</translation>
    </message>
    <message>
        <source>There is no saved lab server called “{name}”. Check the name in the list of servers.</source>
        <translation>没有名为“{name}”的已保存实验室服务器。请核对服务器列表中的名称。</translation>
    </message>
    <message>
        <source>The settings file {path} was written by a newer LabTunnel (format {found}; this version reads up to {supported}). Update LabTunnel. The file was left as it is.</source>
        <translation>设置文件 {path} 由更新版本的 LabTunnel 写入（格式 {found}；此版本最多支持 {supported}）。请更新 LabTunnel。该文件保持原样。</translation>
    </message>
    <message>
        <source>Nothing was saved, because the settings file {path} could not be read when LabTunnel started. Fix or move that file away, then restart LabTunnel.</source>
        <translation>没有保存任何内容，因为 LabTunnel 启动时无法读取设置文件 {path}。请修复该文件或将其移走，然后重新启动 LabTunnel。</translation>
    </message>
    <message>
        <source>LabTunnel could not save its settings to {path} ({detail}). Check that you may write to that folder and that the disk is not full.</source>
        <translation>LabTunnel 无法将设置保存到 {path}（{detail}）。请检查您是否有权写入该文件夹，以及磁盘是否已满。</translation>
    </message>
    <message>
        <source>No secure password store (system keyring) is available. On Linux, install and start GNOME Keyring or KWallet. LabTunnel never keeps passwords in plain files.</source>
        <translation>没有可用的安全密码存储（系统密钥环）。在 Linux 上，请安装并启动 GNOME Keyring 或 KWallet。LabTunnel 从不把密码保存在普通文件中。</translation>
    </message>
    <message>
        <source>Your system keyring is locked. Unlock it (log in again, or open your keyring app) and try again.</source>
        <translation>您的系统密钥环已锁定。请将其解锁（重新登录，或打开密钥环应用），然后重试。</translation>
    </message>
    <message>
        <source>The server name “{host}” could not be found. Check the spelling, and that you are on the lab network or VPN.</source>
        <translation>找不到服务器名“{host}”。请检查拼写，并确认您已连接到实验室网络或 VPN。</translation>
    </message>
    <message>
        <source>{host} refused the connection on port {port}. Check the port (SSH is usually 22) and that the SSH server is running.</source>
        <translation>{host} 拒绝了端口 {port} 上的连接。请检查端口（SSH 通常为 22），并确认 SSH 服务器正在运行。</translation>
    </message>
    <message>
        <source>{host} did not answer on port {port} within {seconds} seconds. Check your network or VPN, and the server address and port.</source>
        <translation>{host} 在 {seconds} 秒内没有在端口 {port} 上应答。请检查您的网络或 VPN，以及服务器地址和端口。</translation>
    </message>
    <message>
        <source>{host} cannot be reached from this computer. Check your network connection or VPN.</source>
        <translation>无法从这台计算机访问 {host}。请检查您的网络连接或 VPN。</translation>
    </message>
    <message>
        <source>The connection to {host} was lost. LabTunnel reconnects by itself when the server answers again.</source>
        <translation>与 {host} 的连接已断开。服务器恢复应答后，LabTunnel 会自动重新连接。</translation>
    </message>
    <message>
        <source>{host} port {port} does not answer like an SSH server. Check the server address and the SSH port (usually 22).</source>
        <translation>{host} 的端口 {port} 的应答不像 SSH 服务器。请检查服务器地址和 SSH 端口（通常为 22）。</translation>
    </message>
    <message>
        <source>{host} port {port} closed the connection before the login finished. The server may be refusing new logins for now: try again in a minute, or ask your lab admin.</source>
        <translation>{host} 的端口 {port} 在登录完成前关闭了连接。服务器可能暂时拒绝新的登录：请一分钟后重试，或联系实验室管理员。</translation>
    </message>
    <message>
        <source>{host} port {port} did not complete an SSH login ({detail}). Check that this is the SSH port of the server, then try again.</source>
        <translation>{host} 的端口 {port} 未能完成 SSH 登录（{detail}）。请确认这是服务器的 SSH 端口，然后重试。</translation>
    </message>
    <message>
        <source>LabTunnel has not connected to {host} before. Its {key_type} key fingerprint is {fingerprint}. Compare it with the one your lab admin gave you, then trust it (command line: connect again with --accept-new-host-key).</source>
        <translation>LabTunnel 以前没有连接过 {host}。它的 {key_type} 密钥指纹是 {fingerprint}。请与实验室管理员提供的指纹比对，然后再信任它（命令行：重新连接时加上 --accept-new-host-key）。</translation>
    </message>
    <message>
        <source>{host} did not accept the login for “{username}”. Check the user name and the password or key in the lab server&apos;s settings.</source>
        <translation>{host} 没有接受“{username}”的登录。请在实验室服务器的设置中检查用户名以及密码或密钥。</translation>
    </message>
    <message>
        <source>{host} does not allow {method} login; it allows: {allowed}. Change how you sign in, in the lab server&apos;s settings.</source>
        <translation>{host} 不允许使用 {method} 登录；它允许的方式有：{allowed}。请在实验室服务器的设置中更改登录方式。</translation>
    </message>
    <message>
        <source>The key file {path} does not exist. Choose your private key file in the lab server&apos;s settings.</source>
        <translation>密钥文件 {path} 不存在。请在实验室服务器的设置中选择您的私钥文件。</translation>
    </message>
    <message>
        <source>The key file {path} cannot be read ({detail}). Check that the file is yours and readable.</source>
        <translation>无法读取密钥文件 {path}（{detail}）。请检查该文件属于您并且可读。</translation>
    </message>
    <message>
        <source>The key file {path} is protected by a passphrase and none is saved. Enter the passphrase in the lab server&apos;s settings.</source>
        <translation>密钥文件 {path} 受口令保护，但没有保存口令。请在实验室服务器的设置中输入密钥口令。</translation>
    </message>
    <message>
        <source>The saved passphrase does not unlock the key file {path}. Enter the right passphrase in the lab server&apos;s settings.</source>
        <translation>已保存的口令无法解锁密钥文件 {path}。请在实验室服务器的设置中输入正确的口令。</translation>
    </message>
    <message>
        <source>No SSH agent is running. Start one (Pageant or the OpenSSH agent on Windows, ssh-agent on macOS and Linux) and add your key, or choose a key file instead.</source>
        <translation>没有正在运行的 SSH agent。请启动一个（Windows 上为 Pageant 或 OpenSSH agent，macOS 和 Linux 上为 ssh-agent）并添加您的密钥，或改用密钥文件。</translation>
    </message>
    <message>
        <source>The SSH agent holds no keys. Add your key to it (ssh-add), or choose a key file instead.</source>
        <translation>SSH agent 中没有密钥。请将您的密钥添加到其中（ssh-add），或改用密钥文件。</translation>
    </message>
    <message>
        <source>No one-time code was entered for {host}, so the login stopped. Connect again and enter the code.</source>
        <translation>没有为 {host} 输入一次性验证码，因此登录已停止。请重新连接并输入验证码。</translation>
    </message>
    <message>
        <source>{host} did not accept the one-time code for “{username}”. Connect again and enter the code your authenticator shows now; if it is refused again, check the password in the lab server&apos;s settings.</source>
        <translation>{host} 没有接受“{username}”的一次性验证码。请重新连接，并输入验证器当前显示的验证码；如果仍被拒绝，请在实验室服务器的设置中检查密码。</translation>
    </message>
    <message>
        <source>Connecting to {host} was stopped. Connect again when you want to.</source>
        <translation>已停止连接 {host}。需要时请重新连接。</translation>
    </message>
    <message>
        <source>Port {port} on this computer is already used by another program. Choose another local port, or 0 to let LabTunnel pick a free one.</source>
        <translation>这台计算机上的端口 {port} 已被其他程序占用。请选择其他本地端口，或填 0 让 LabTunnel 自动选择空闲端口。</translation>
    </message>
    <message>
        <source>LabTunnel may not use port {port} on this computer. Choose a port above 1024, or 0 to let LabTunnel pick one.</source>
        <translation>LabTunnel 无权使用这台计算机上的端口 {port}。请选择大于 1024 的端口，或填 0 让 LabTunnel 自动选择。</translation>
    </message>
    <message>
        <source>A command on the server failed (exit status {status}): {stderr}. See the log for details.</source>
        <translation>服务器上的一条命令执行失败（退出状态 {status}）：{stderr}。详情请查看日志。</translation>
    </message>
    <message>
        <source>The server did not finish “{command}” within {seconds} seconds. It may be busy: try again, and check the Jupyter environment in the lab server&apos;s settings.</source>
        <translation>服务器未能在 {seconds} 秒内完成“{command}”。服务器可能正忙：请重试，并检查实验室服务器设置中的 Jupyter 环境。</translation>
    </message>
    <message>
        <source>LabTunnel ran “{command}” on the server, but there is no jupyter on your PATH there.</source>
        <translation>LabTunnel 在服务器上运行了“{command}”，但您在那里的 PATH 中没有 jupyter。</translation>
    </message>
    <message>
        <source>The Jupyter environment “{env}” does not exist on the server.</source>
        <translation>服务器上不存在 Jupyter 环境“{env}”。</translation>
    </message>
    <message>
        <source>“{env}” on the server is not a program LabTunnel can run.</source>
        <translation>服务器上的“{env}”不是 LabTunnel 能运行的程序。</translation>
    </message>
    <message>
        <source>The profile names the conda environment “{env}”, but conda was not found on the server.</source>
        <translation>配置指定了 conda 环境“{env}”，但在服务器上找不到 conda。</translation>
    </message>
    <message>
        <source>There is no conda environment called “{env}” on the server.</source>
        <translation>服务器上没有名为“{env}”的 conda 环境。</translation>
    </message>
    <message>
        <source>The environment “{env}” on the server has no jupyter in it.</source>
        <translation>服务器上的环境“{env}”中没有 jupyter。</translation>
    </message>
    <message>
        <source>jupyter on the server failed to run ({detail}).</source>
        <translation>服务器上的 jupyter 运行失败（{detail}）。</translation>
    </message>
    <message>
        <source>LabTunnel found no jupyter on the server: not on the PATH your terminal has there (your login shell {shell}, started as a terminal starts it), and not in {places}.</source>
        <extracomment>&quot;not_on_path&quot; for the login kind: what was tried, by how the terminal&apos;s shell started</extracomment>
        <translation>LabTunnel 在服务器上没有找到 jupyter：您在那里的终端的 PATH 中没有（您的登录 shell {shell}，按终端的方式启动），{places} 中也没有。</translation>
    </message>
    <message>
        <source>LabTunnel found no jupyter on the server: not on the PATH of your login shell {shell} (it did not start as an interactive shell, so only its login files were read), and not in {places}.</source>
        <translation>LabTunnel 在服务器上没有找到 jupyter：您的登录 shell {shell} 的 PATH 中没有（它无法以交互方式启动，因此只读取了登录文件），{places} 中也没有。</translation>
    </message>
    <message>
        <source>Set the lab server&apos;s Jupyter environment to one of these: {candidates} (or install Jupyter there: pip install jupyterlab).</source>
        <translation>请将实验室服务器的 Jupyter 环境设为以下之一：{candidates}（或在那里安装 Jupyter：pip install jupyterlab）。</translation>
    </message>
    <message>
        <source>Set the lab server&apos;s Jupyter environment to the conda environment name, the venv folder or the full path of jupyter (or install it there: pip install jupyterlab).</source>
        <translation>请将实验室服务器的 Jupyter 环境设为 conda 环境名、venv 文件夹或 jupyter 的完整路径（或在那里安装：pip install jupyterlab）。</translation>
    </message>
    <message>
        <source>(This was inside Slurm job {job} on a compute node; its log ends with: {tail})</source>
        <translation>（这发生在计算节点上的 Slurm 作业 {job} 中；其日志结尾为：{tail}）</translation>
    </message>
    <message>
        <source>(This was inside Slurm job {job} on a compute node.)</source>
        <translation>（这发生在计算节点上的 Slurm 作业 {job} 中。）</translation>
    </message>
    <message>
        <source>{problem} {where} {fix}</source>
        <translation>{problem}{where}{fix}</translation>
    </message>
    <message>
        <source>{problem} {fix}</source>
        <translation>{problem}{fix}</translation>
    </message>
    <message>
        <source>The Notebook app is not installed in that Jupyter environment on the server, and the lab server&apos;s settings ask for it. Install it there (pip install notebook), or set the lab server&apos;s Jupyter app to Automatic.</source>
        <translation>服务器上的该 Jupyter 环境中没有安装 Notebook 应用，而实验室服务器设置要求使用它。请在那里安装（pip install notebook），或将实验室服务器的 Jupyter 应用设为“自动”。</translation>
    </message>
    <message>
        <source>JupyterLab is not installed in that Jupyter environment on the server, and the lab server&apos;s settings ask for it. Install it there (pip install jupyterlab), or set the lab server&apos;s Jupyter app to Automatic.</source>
        <translation>服务器上的该 Jupyter 环境中没有安装 JupyterLab，而实验室服务器设置要求使用它。请在那里安装（pip install jupyterlab），或将实验室服务器的 Jupyter 应用设为“自动”。</translation>
    </message>
    <message>
        <source>LabTunnel did not start Jupyter: its log folder {path} on the server is a symbolic link or belongs to someone else, and the log will hold your Jupyter token. Remove it on the server (rm -r {path}), then connect again.</source>
        <translation>LabTunnel 没有启动 Jupyter：服务器上它的日志文件夹 {path} 是符号链接或属于他人，而日志中会有您的 Jupyter token。请在服务器上删除它（rm -r {path}），然后重新连接。</translation>
    </message>
    <message>
        <source>Warning: the Jupyter LabTunnel runs for you on the server is outside your home folder, and other users can change {path} (they can write to it, or it is theirs), so they decide what runs as you. Use a Jupyter environment in your home folder, or ask your lab admin to make {path} writable only by its owner.</source>
        <translation>警告：LabTunnel 在服务器上为您运行的 Jupyter 位于您的主文件夹之外，而其他用户可以更改 {path}（他们可以写入，或它属于他们），因此他们能决定以您的身份运行什么。请使用您主文件夹中的 Jupyter 环境，或请实验室管理员把 {path} 设为只有其所有者可写。</translation>
    </message>
    <message>
        <source>The working folder {workdir} does not exist on the server. Create it, or change the Jupyter working folder in the lab server&apos;s settings.</source>
        <translation>服务器上不存在工作文件夹 {workdir}。请创建该文件夹，或在实验室服务器的设置中更改 Jupyter 工作文件夹。</translation>
    </message>
    <message>
        <source>LabTunnel found no jupyter on the server: your login shell {shell} did not start there, so LabTunnel searched only the PATH the SSH server sets, and {places}.</source>
        <translation>LabTunnel 在服务器上没有找到 jupyter：您的登录 shell {shell} 在那里无法启动，因此 LabTunnel 只搜索了 SSH 服务器设置的 PATH 以及 {places}。</translation>
    </message>
    <message>
        <source>Jupyter did not start on the server ({reason}). Its log {log} ends with: {tail} Check the Jupyter environment in the lab server&apos;s settings.</source>
        <translation>Jupyter 未能在服务器上启动（{reason}）。其日志 {log} 的末尾是：{tail} 请检查实验室服务器设置中的 Jupyter 环境。</translation>
    </message>
    <message>
        <source>Your Jupyter on the server (port {port}) is running but does not answer. Use “Stop Jupyter on server”, then connect again to start a fresh one.</source>
        <translation>您在服务器上的 Jupyter（端口 {port}）正在运行，但没有响应。请使用“停止服务器上的 Jupyter”，然后重新连接以启动一个新的。</translation>
    </message>
    <message>
        <source>Jupyter is no longer running on the server (port {port}). Connect again to start it.</source>
        <translation>服务器上的 Jupyter 已不再运行（端口 {port}）。请重新连接以启动它。</translation>
    </message>
    <message>
        <source>LabTunnel could not stop your Jupyter on the server (process {pid}). Stop it from a terminal on the server: kill {pid}</source>
        <translation>LabTunnel 无法停止您在服务器上的 Jupyter（进程 {pid}）。请在服务器的终端中停止它：kill {pid}</translation>
    </message>
    <message>
        <source>The file</source>
        <translation>该文件</translation>
    </message>
    <message>
        <source>File type</source>
        <translation>文件类型</translation>
    </message>
    <message>
        <source>Format version</source>
        <translation>格式版本</translation>
    </message>
    <message>
        <source>Integrity check (sha256)</source>
        <translation>完整性校验（sha256）</translation>
    </message>
    <message>
        <source>Lab server settings</source>
        <translation>实验室服务器设置</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Server host key fingerprints</source>
        <translation>服务器主机密钥指纹</translation>
    </message>
    <message>
        <source>Jump host address</source>
        <translation>跳板机地址</translation>
    </message>
    <message>
        <source>Jump host SSH port</source>
        <translation>跳板机 SSH 端口</translation>
    </message>
    <message>
        <source>Jump host user name</source>
        <translation>跳板机用户名</translation>
    </message>
    <message>
        <source>Jump host key fingerprints</source>
        <translation>跳板机密钥指纹</translation>
    </message>
    <message>
        <source>What to open</source>
        <translation>要打开的内容</translation>
    </message>
    <message>
        <source>Jupyter app</source>
        <translation>Jupyter 应用</translation>
    </message>
    <message>
        <source>Jupyter environment</source>
        <translation>Jupyter 环境</translation>
    </message>
    <message>
        <source>Jupyter working folder</source>
        <translation>Jupyter 工作文件夹</translation>
    </message>
    <message>
        <source>Remote port</source>
        <translation>远程端口</translation>
    </message>
    <message>
        <source>Slurm job</source>
        <translation>Slurm 作业</translation>
    </message>
    <message>
        <source>{field} is not a text file.</source>
        <translation>{field}不是文本文件。</translation>
    </message>
    <message>
        <source>{field} is not valid JSON ({value}).</source>
        <translation>{field}不是有效的 JSON（{value}）。</translation>
    </message>
    <message>
        <source>{field}: this is not a LabTunnel lab profile file.</source>
        <translation>{field}：这不是 LabTunnel 实验室配置文件。</translation>
    </message>
    <message>
        <source>{field} is missing.</source>
        <translation>缺少{field}。</translation>
    </message>
    <message>
        <source>{field} has the wrong type (expected: {value}).</source>
        <translation>{field}的类型不正确（应为：{value}）。</translation>
    </message>
    <message>
        <source>{field} is not a field LabTunnel knows.</source>
        <translation>{field}不是 LabTunnel 认识的字段。</translation>
    </message>
    <message>
        <source>“{field}” appears twice.</source>
        <translation>“{field}”出现了两次。</translation>
    </message>
    <message>
        <source>{field} is longer than {value} characters.</source>
        <translation>{field}超过了 {value} 个字符。</translation>
    </message>
    <message>
        <source>{field}: more than {value} entries.</source>
        <translation>{field}：条目超过 {value} 个。</translation>
    </message>
    <message>
        <source>{field} contains control characters.</source>
        <translation>{field}包含控制字符。</translation>
    </message>
    <message>
        <source>{field} must be one of: {value}.</source>
        <translation>{field}必须是以下之一：{value}。</translation>
    </message>
    <message>
        <source>{field} is not a SHA-256 digest (64 hexadecimal characters).</source>
        <translation>{field}不是 SHA-256 摘要（64 个十六进制字符）。</translation>
    </message>
    <message>
        <source>LabTunnel could not use the lab profile file {path} ({detail}). Check the name and folder of the file and that you may read and write there.</source>
        <translation>LabTunnel 无法使用实验室配置文件 {path}（{detail}）。请检查文件的名称和所在文件夹，以及您是否有权在那里读写。</translation>
    </message>
    <message>
        <source>{path} is too big to be a lab profile ({size} bytes; they are under {limit}). Choose the .labtunnel file your lab admin gave you.</source>
        <translation>{path} 太大，不可能是实验室配置文件（{size} 字节；实验室配置文件小于 {limit} 字节）。请选择实验室管理员给您的 .labtunnel 文件。</translation>
    </message>
    <message>
        <source>{path} is not a lab profile LabTunnel can use. {details} Ask your lab admin for a new file (exported with “labtunnel profile export”).</source>
        <translation>{path} 不是 LabTunnel 能使用的实验室配置文件。{details}请向实验室管理员索取新文件（用“labtunnel profile export”导出）。</translation>
    </message>
    <message>
        <source>The lab profile file {path} is incomplete: it ends too early (an interrupted download or copy?). Get the file again from your lab admin.</source>
        <translation>实验室配置文件 {path} 不完整：文件提前结束了（下载或复制中断了吗？）。请重新向实验室管理员索取该文件。</translation>
    </message>
    <message>
        <source>The lab profile file {path} was changed after it was exported: its integrity check does not match. Nothing was imported. Get the original file again from your lab admin.</source>
        <translation>实验室配置文件 {path} 在导出后被改动过：完整性校验不匹配。没有导入任何内容。请重新向实验室管理员索取原始文件。</translation>
    </message>
    <message>
        <source>The lab profile file {path} was made by a newer LabTunnel (format {found}; this version reads up to {supported}). Update LabTunnel, then import it again.</source>
        <translation>实验室配置文件 {path} 由更新版本的 LabTunnel 生成（格式 {found}；此版本最多支持 {supported}）。请更新 LabTunnel，然后重新导入。</translation>
    </message>
    <message>
        <source>LabTunnel does not know the host key of the jump host {host} yet, so “{profile}” cannot be shared with it pinned. Connect to “{profile}” once (and check the key), then export again.</source>
        <translation>LabTunnel 还不知道跳板机 {host} 的主机密钥，因此无法在分享“{profile}”时固定该密钥。请先连接一次“{profile}”（并核对密钥），然后再导出。</translation>
    </message>
    <message>
        <source>LabTunnel does not know the host key of {host} yet, so “{profile}” cannot be shared with it pinned. Connect to “{profile}” once (and check the key), then export again.</source>
        <translation>LabTunnel 还不知道 {host} 的主机密钥，因此无法在分享“{profile}”时固定该密钥。请先连接一次“{profile}”（并核对密钥），然后再导出。</translation>
    </message>
    <message>
        <source>“{profile}” goes through a jump host that itself goes through another one; a lab profile file holds one jump host. Make the first jump host connect directly, then export again.</source>
        <translation>“{profile}”经由的跳板机本身又经由另一台跳板机；实验室配置文件只能包含一台跳板机。请让第一台跳板机直接连接，然后再导出。</translation>
    </message>
    <message>
        <source>LabTunnel could not read the SSH config file {path} ({detail}). Check that the file exists and that ssh itself accepts it (ssh -G HOST), or choose another file.</source>
        <translation>LabTunnel 无法读取 SSH 配置文件 {path}（{detail}）。请检查文件是否存在以及 ssh 本身是否接受它（ssh -G HOST），或选择其他文件。</translation>
    </message>
    <message>
        <source>“{alias}” is a pattern for many hosts, not one server: skipped.</source>
        <translation>“{alias}”是匹配多台主机的模式，而不是一台服务器：已跳过。</translation>
    </message>
    <message>
        <source>“{alias}” is not a Host in the SSH config: skipped.</source>
        <translation>“{alias}”不是 SSH 配置中的 Host：已跳过。</translation>
    </message>
    <message>
        <source>“{alias}”: a lab server with this name already exists: skipped.</source>
        <translation>“{alias}”：已有同名的实验室服务器：已跳过。</translation>
    </message>
    <message>
        <source>“{alias}” connects through a ProxyCommand, which LabTunnel cannot run: skipped. Use ProxyJump instead, or add it by hand.</source>
        <translation>“{alias}”通过 ProxyCommand 连接，LabTunnel 无法运行它：已跳过。请改用 ProxyJump，或手动添加。</translation>
    </message>
    <message>
        <source>“{alias}” goes through several jump hosts ({detail}); LabTunnel imports one: skipped. Import the first jump host, then add this server with it as jump host.</source>
        <translation>“{alias}”经由多台跳板机（{detail}）；LabTunnel 只能导入一台：已跳过。请先导入第一台跳板机，再添加此服务器并将其设为跳板机。</translation>
    </message>
    <message>
        <source>“{alias}” has the port “{detail}”, which is not valid: skipped.</source>
        <translation>“{alias}”的端口“{detail}”无效：已跳过。</translation>
    </message>
    <message>
        <source>“{alias}” has the ProxyJump “{detail}”, which is not valid: skipped.</source>
        <translation>“{alias}”的 ProxyJump“{detail}”无效：已跳过。</translation>
    </message>
    <message>
        <source>“{alias}”: its jump hosts lead in a circle ({detail}): skipped.</source>
        <translation>“{alias}”：其跳板机形成了循环（{detail}）：已跳过。</translation>
    </message>
    <message>
        <source>“{alias}” has settings LabTunnel cannot use ({detail}): skipped.</source>
        <translation>“{alias}”的设置 LabTunnel 无法使用（{detail}）：已跳过。</translation>
    </message>
    <message>
        <source>“{alias}”: the key file {detail} does not exist; using the next key file named, or else the password.</source>
        <translation>“{alias}”：密钥文件 {detail} 不存在；将使用下一个指定的密钥文件，如果没有则使用密码。</translation>
    </message>
    <message>
        <source>{detail} includes itself; it was read once.</source>
        <translation>{detail} 包含了它自身；只读取了一次。</translation>
    </message>
    <message>
        <source>{detail} is included too deeply (more than 16 levels): not read.</source>
        <translation>{detail} 的包含层级过深（超过 16 层）：未读取。</translation>
    </message>
    <message>
        <source>{detail} could not be read: not imported from.</source>
        <translation>无法读取 {detail}：未从中导入。</translation>
    </message>
    <message>
        <source>“{detail}”: LabTunnel does not evaluate this Match block; ignored.</source>
        <translation>“{detail}”：LabTunnel 不处理此 Match 块；已忽略。</translation>
    </message>
    <message>
        <source>“{detail}”: host name canonicalization is not used; ignored.</source>
        <translation>“{detail}”：不使用主机名规范化；已忽略。</translation>
    </message>
    <message>
        <source>“{alias}” was skipped ({detail}).</source>
        <translation>已跳过“{alias}”（{detail}）。</translation>
    </message>
    <message>
        <source>{detail}: {code}.</source>
        <translation>{detail}：{code}。</translation>
    </message>
    <message>
        <source>This file sends the connection through the jump host {jump}. Use the same password there? Say yes only if that is your lab&apos;s gateway.</source>
        <translation>此文件让连接经过跳板机 {jump}。在那里也使用同一个密码吗？只有当它是您实验室的网关时才回答是。</translation>
    </message>
    <message>
        <source>Connecting to {host}…</source>
        <translation>正在连接 {host}…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Looking for your Jupyter…</source>
        <translation>正在查找您的 Jupyter…</translation>
    </message>
    <message>
        <source>Starting Jupyter on the server…</source>
        <translation>正在服务器上启动 Jupyter…</translation>
    </message>
    <message>
        <source>Waiting for Jupyter to be ready…</source>
        <translation>正在等待 Jupyter 就绪…</translation>
    </message>
    <message>
        <source>Opening the tunnel…</source>
        <translation>正在打开隧道…</translation>
    </message>
    <message>
        <source>Checking that Jupyter answers…</source>
        <translation>正在检查 Jupyter 是否响应…</translation>
    </message>
    <message>
        <source>Looking for your Slurm job (or submitting one)…</source>
        <translation>正在查找您的 Slurm 作业（或提交一个）…</translation>
    </message>
    <message>
        <source>Waiting in the queue…</source>
        <translation>正在排队…</translation>
    </message>
    <message>
        <source>Starting Jupyter in the job…</source>
        <translation>正在作业中启动 Jupyter…</translation>
    </message>
    <message>
        <source>WARNING: {host} showed a {key_type} key ({actual}), but LabTunnel knows it by its {known_types} key ({expected}, from {source}). A server that suddenly shows another kind of key may be someone intercepting the connection, so LabTunnel refused to connect. Ask your lab admin whether the server&apos;s keys were changed; only then remove the old key ({remove}) and connect again.</source>
        <translation>警告：{host} 出示了 {key_type} 密钥（{actual}），但 LabTunnel 认识的是它的 {known_types} 密钥（{expected}，来自 {source}）。服务器突然出示另一种类型的密钥，可能是有人在拦截连接，因此 LabTunnel 拒绝连接。请询问实验室管理员服务器的密钥是否更换过；确认后才删除旧密钥（{remove}）并重新连接。</translation>
    </message>
    <message>
        <source>WARNING: the settings of {host} (perhaps from a lab profile file) pin the key {actual} that the server showed, but LabTunnel already trusts another key for {host}: {expected} (from {source}). A pinned key never replaces a key you trusted, so LabTunnel refused to connect. Ask your lab admin which key is right: if it is the pinned one, remove the old key ({remove}) and connect again; if not, delete this lab server.</source>
        <translation>警告：{host} 的设置（可能来自实验室配置文件）固定了服务器出示的密钥 {actual}，但 LabTunnel 已经信任 {host} 的另一个密钥：{expected}（来自 {source}）。固定的密钥绝不会取代您已信任的密钥，因此 LabTunnel 拒绝连接。请询问实验室管理员哪个密钥是正确的：如果是固定的那个，请删除旧密钥（{remove}）并重新连接；如果不是，请删除这台实验室服务器。</translation>
    </message>
    <message>
        <source>LabTunnel&apos;s list of trusted servers, {path}, is damaged: none of its lines can be read. Without it LabTunnel cannot check which server it is talking to, so it did not connect. Move the file away to start a new list (each server will then ask to be trusted again).</source>
        <translation>LabTunnel 的受信任服务器列表 {path} 已损坏：其中没有一行可以读取。没有它，LabTunnel 无法确认正在与哪台服务器通信，因此没有连接。请将该文件移走以重新开始一个列表（之后每台服务器都会再次请求信任）。</translation>
    </message>
    <message>
        <source>LabTunnel cannot read its list of trusted servers, {path} ({detail}). Without it LabTunnel cannot check which server it is talking to, so it did not connect. Make the file readable for you again, or move it away to start a new list (each server will then ask to be trusted again).</source>
        <translation>LabTunnel 无法读取它的受信任服务器列表 {path}（{detail}）。没有它，LabTunnel 无法确认正在与哪台服务器通信，因此没有连接。请让您重新能够读取该文件，或将其移走以重新开始一个列表（之后每台服务器都会再次请求信任）。</translation>
    </message>
    <message>
        <source>Could not check for a newer version: this computer seems to be offline, or GitHub cannot be reached. Try again later.</source>
        <translation>无法检查新版本：这台电脑似乎没有联网，或者无法访问 GitHub。请稍后再试。</translation>
    </message>
    <message>
        <source>No release of LabTunnel has been published yet.</source>
        <translation>LabTunnel 尚未发布任何版本。</translation>
    </message>
    <message>
        <source>GitHub did not answer the check ({detail}). Try again later.</source>
        <translation>GitHub 没有回应这次检查（{detail}）。请稍后再试。</translation>
    </message>
    <message>
        <source>GitHub’s answer was not understood. Try again later.</source>
        <translation>无法理解 GitHub 的回复。请稍后再试。</translation>
    </message>
    <message>
        <source>LabTunnel {version} is available (you have {current}).</source>
        <translation>LabTunnel {version} 已发布（您的版本是 {current}）。</translation>
    </message>
    <message>
        <source>You have the latest version, LabTunnel {current}.</source>
        <translation>您使用的已是最新版本：LabTunnel {current}。</translation>
    </message>
    <message>
        <source>the SSH server does not forward to Unix sockets (AllowStreamLocalForwarding or DisableForwarding in its sshd_config)</source>
        <translation>SSH 服务器不转发到 Unix 套接字（其 sshd_config 中的 AllowStreamLocalForwarding 或 DisableForwarding）</translation>
    </message>
    <message>
        <source>this SSH server (Dropbear, for one) cannot forward to Unix sockets</source>
        <translation>此 SSH 服务器（例如 Dropbear）无法转发到 Unix 套接字</translation>
    </message>
    <message>
        <source>this LabTunnel&apos;s SSH library cannot open channels to Unix sockets</source>
        <translation>此 LabTunnel 的 SSH 库无法打开到 Unix 套接字的通道</translation>
    </message>
    <message>
        <source>LabTunnel could not make a private folder for the socket on the server</source>
        <translation>LabTunnel 无法在服务器上为套接字创建私有文件夹</translation>
    </message>
    <message>
        <source>the path of your home folder is too long for a socket address</source>
        <translation>你的主文件夹路径太长，无法作为套接字地址</translation>
    </message>
    <message>
        <source>the file system of your home folder does not allow sockets</source>
        <translation>你的主文件夹所在的文件系统不支持套接字</translation>
    </message>
    <message>
        <source>no Python was found on the server to prepare the socket with</source>
        <translation>服务器上找不到用于准备套接字的 Python</translation>
    </message>
    <message>
        <source>this Jupyter is too old to listen on a socket (update jupyter_server or notebook to have that)</source>
        <translation>此 Jupyter 版本太旧，无法监听套接字（更新 jupyter_server 或 notebook 即可支持）</translation>
    </message>
    <message>
        <source>Jupyter listens on a private socket: nobody else on the server can reach it.</source>
        <translation>Jupyter 监听在私有套接字上：服务器上的其他人都无法访问它。</translation>
    </message>
    <message>
        <source>Jupyter listens on port {port} of the server&apos;s 127.0.0.1, where other users of the server can connect (its token keeps them out): {reason}.</source>
        <translation>Jupyter 监听在服务器 127.0.0.1 的端口 {port} 上，服务器的其他用户可以连接到这里（令牌 token 会把他们挡在外面）：{reason}。</translation>
    </message>
    <message>
        <source>Jupyter listens on port {port} of the server&apos;s 127.0.0.1. Your Jupyter on a private socket was left running, unused: {reason}.</source>
        <translation>Jupyter 监听在服务器 127.0.0.1 的端口 {port} 上。你那个在私有套接字上的 Jupyter 仍在运行，但未被使用：{reason}。</translation>
    </message>
    <message>
        <source>Jupyter listens on port {port} of the server&apos;s 127.0.0.1 (it was already running that way).</source>
        <translation>Jupyter 监听在服务器 127.0.0.1 的端口 {port} 上（它原本就是这样运行的）。</translation>
    </message>
    <message>
        <source>{used} of {total} GB used</source>
        <translation>已用 {used} / {total} GB</translation>
    </message>
    <message>
        <source>There is no nvidia-smi on the server, so the GPU setting was not applied.</source>
        <translation>服务器上没有 nvidia-smi，因此未应用 GPU 设置。</translation>
    </message>
    <message>
        <source>nvidia-smi failed when Jupyter started, so no GPU was picked: Jupyter sees what your login shell sets.</source>
        <translation>启动 Jupyter 时 nvidia-smi 运行失败，因此没有选择 GPU：Jupyter 看到的是你的登录 shell 所设置的 GPU。</translation>
    </message>
    <message>
        <source>Jupyter sees every GPU (it was already running; stop it to apply the GPU setting).</source>
        <translation>Jupyter 可以看到所有 GPU（它原本就在运行；停止它后才会应用 GPU 设置）。</translation>
    </message>
    <message>
        <source>Jupyter has no GPU (it was already running).</source>
        <translation>Jupyter 没有 GPU（它原本就在运行）。</translation>
    </message>
    <message>
        <source>Jupyter on GPU {gpus} — {memory} (kept from when it started)</source>
        <translation>Jupyter 使用 GPU {gpus} — {memory}（沿用启动时的设置）</translation>
    </message>
    <message>
        <source>Jupyter on GPU {gpus} (kept from when it started)</source>
        <translation>Jupyter 使用 GPU {gpus}（沿用启动时的设置）</translation>
    </message>
    <message>
        <source>Jupyter has no GPU, as set for this server.</source>
        <translation>按此服务器的设置，Jupyter 不使用 GPU。</translation>
    </message>
    <message>
        <source>Jupyter on a MIG slice of GPU {gpus} ({devices})</source>
        <translation>Jupyter 使用 GPU {gpus} 的一个 MIG 分区（{devices}）</translation>
    </message>
    <message>
        <source>Jupyter on GPU {gpus} — {memory}</source>
        <translation>Jupyter 使用 GPU {gpus} — {memory}</translation>
    </message>
    <message>
        <source>Jupyter on GPU {gpus}</source>
        <translation>Jupyter 使用 GPU {gpus}</translation>
    </message>
    <message>
        <source>no GPU was free: this one was the least busy</source>
        <translation>没有空闲的 GPU：这是最不忙的一块</translation>
    </message>
    <message>
        <source>GPU {missing} is not on this server</source>
        <translation>此服务器上没有 GPU {missing}</translation>
    </message>
    <message>
        <source>set as asked: nvidia-smi failed</source>
        <translation>已按要求设置：nvidia-smi 运行失败</translation>
    </message>
    <message>
        <source>{main} ({extra})</source>
        <translation>{main}（{extra}）</translation>
    </message>
    <message>
        <source>under a minute</source>
        <translation>不到一分钟</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{days} days</source>
        <translation>{days} 天</translation>
    </message>
    <message>
        <source>on a GPU, memory not reported</source>
        <translation>在 GPU 上，未报告显存用量</translation>
    </message>
    <message>
        <source>{gb} GB of GPU memory</source>
        <translation>{gb} GB GPU 显存</translation>
    </message>
    <message>
        <source>idle for {duration}</source>
        <translation>已空闲 {duration}</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>{state}</source>
        <translation>{state}</translation>
    </message>
    <message>
        <source>{what} ({name}): {state}</source>
        <translation>{what}（{name}）：{state}</translation>
    </message>
    <message>
        <source>{what} ({name}): {state}, {gpu}</source>
        <translation>{what}（{name}）：{state}，{gpu}</translation>
    </message>
    <message>
        <source>No kernel of yours is running on {host}.</source>
        <translation>{host} 上没有你正在运行的内核。</translation>
    </message>
    <message>
        <source>Your kernels could not be listed ({detail}). See the log for details.</source>
        <translation>无法列出你的内核（{detail}）。详情请查看日志。</translation>
    </message>
    <message>
        <source>Shut down kernel {kernel} ({what}).</source>
        <translation>已关闭内核 {kernel}（{what}）。</translation>
    </message>
    <message>
        <source>Jupyter did not shut down kernel {kernel} ({what}). Try again.</source>
        <translation>Jupyter 没有关闭内核 {kernel}（{what}）。请再试一次。</translation>
    </message>
    <message>
        <source>There is no kernel {kernel} in your Jupyter on {host}. See: labtunnel jupyter kernels NAME</source>
        <translation>你在 {host} 上的 Jupyter 中没有内核 {kernel}。请查看：labtunnel jupyter kernels NAME</translation>
    </message>
    <message>
        <source>No kernel of yours has been idle for {minutes} minutes or more.</source>
        <translation>你的内核中没有空闲 {minutes} 分钟或更久的。</translation>
    </message>
    <message>
        <source>No Jupyter of yours is running on {host}.</source>
        <translation>{host} 上没有你正在运行的 Jupyter。</translation>
    </message>
    <message>
        <source>for free resources</source>
        <extracomment>Slurm&apos;s pending reasons, as &quot;waiting in the queue &lt;why&gt;&quot;</extracomment>
        <translation>等待空闲资源</translation>
    </message>
    <message>
        <source>behind jobs with a higher priority</source>
        <translation>排在优先级更高的作业之后</translation>
    </message>
    <message>
        <source>for the jobs it depends on</source>
        <translation>等待它所依赖的作业</translation>
    </message>
    <message>
        <source>until its start time</source>
        <translation>等待到它的开始时间</translation>
    </message>
    <message>
        <source>for nodes that are down or reserved</source>
        <translation>等待停机或被预留的节点</translation>
    </message>
    <message>
        <source>until the partition is up again</source>
        <translation>等待分区重新可用</translation>
    </message>
    <message>
        <source>for its reservation</source>
        <translation>等待它的预留</translation>
    </message>
    <message>
        <source>on hold (release it with scontrol release)</source>
        <translation>被挂起（用 scontrol release 释放）</translation>
    </message>
    <message>
        <source>on hold by an admin</source>
        <translation>被管理员挂起</translation>
    </message>
    <message>
        <source>for free licenses</source>
        <translation>等待空闲许可证</translation>
    </message>
    <message>
        <source>for a GPU</source>
        <translation>等待 GPU</translation>
    </message>
    <message>
        <source>until fewer of your jobs run (a limit of yours)</source>
        <translation>等待您正在运行的作业减少（您的作业数上限）</translation>
    </message>
    <message>
        <source>for your group&apos;s share of the cluster (a limit of your account)</source>
        <translation>等待您所在组的集群配额（您账户的限制）</translation>
    </message>
    <message>
        <source>to be scheduled</source>
        <translation>等待调度</translation>
    </message>
    <message>
        <source>Waiting in the queue {why} ({reason}); Slurm expects it to start at {time}.</source>
        <translation>正在排队，{why}（{reason}）；Slurm 预计在 {time} 开始。</translation>
    </message>
    <message>
        <source>Waiting in the queue {why} ({reason}).</source>
        <translation>正在排队，{why}（{reason}）。</translation>
    </message>
    <message>
        <source>Job {job} runs on {node}: starting Jupyter there…</source>
        <translation>作业 {job} 在 {node} 上运行：正在那里启动 Jupyter…</translation>
    </message>
    <message>
        <source>Job {job} is starting…</source>
        <translation>作业 {job} 正在启动…</translation>
    </message>
    <message>
        <source>less than a minute left</source>
        <translation>剩余不到 1 分钟</translation>
    </message>
    <message>
        <source>{days} d {hours} h left</source>
        <translation>剩余 {days} 天 {hours} 小时</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min left</source>
        <translation>剩余 {hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{minutes} min left</source>
        <translation>剩余 {minutes} 分钟</translation>
    </message>
    <message>
        <source>GPUs: {count} ({ids})</source>
        <translation>GPU：{count} 个（{ids}）</translation>
    </message>
    <message>
        <source>GPUs: {count}</source>
        <translation>GPU：{count} 个</translation>
    </message>
    <message>
        <source>Job {job} on {node}</source>
        <translation>作业 {job}，节点 {node}</translation>
    </message>
    <message>
        <source>Job {job} on {node} · {gpus} · {left}</source>
        <translation>作业 {job}，节点 {node} · {gpus} · {left}</translation>
    </message>
    <message>
        <source>Job {job} on {node} · {gpus}</source>
        <translation>作业 {job}，节点 {node} · {gpus}</translation>
    </message>
    <message>
        <source>Job {job} on {node} · {left}</source>
        <translation>作业 {job}，节点 {node} · {left}</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} reaches its time limit in {minutes} min: save your notebooks now. The job, its kernels and unsaved work end then.</source>
        <translation>您的 Jupyter 作业 {job} 将在 {minutes} 分钟后达到时间限制：请立即保存笔记本。届时作业、其内核和未保存的工作都会结束。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} keeps running on {node}. Connect again to use it; stop it with: labtunnel jupyter stop “{profile}”</source>
        <translation>您的 Jupyter 作业 {job} 继续在 {node} 上运行。再次连接即可使用；停止它：labtunnel jupyter stop “{profile}”</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended: time limit reached. Start a new job to go on (with a longer time limit in the lab server&apos;s settings if you need one).</source>
        <translation>您的 Jupyter 作业 {job} 已结束：达到时间限制。请启动新作业继续（如需更长时间，请在实验室服务器的设置中加长时间限制）。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended: it was cancelled (with scancel, by you or an admin). Start a new job to go on.</source>
        <translation>您的 Jupyter 作业 {job} 已结束：它被取消了（由您或管理员用 scancel）。请启动新作业继续。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended: preempted by a job with a higher priority. Start a new job to go on; it waits in the queue until there is room.</source>
        <translation>您的 Jupyter 作业 {job} 已结束：被优先级更高的作业抢占。请启动新作业继续；它会排队直到有空位。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended: its node {node} failed. Start a new job to go on; Slurm runs it on a node that works.</source>
        <translation>您的 Jupyter 作业 {job} 已结束：它的节点 {node} 出现故障。请启动新作业继续；Slurm 会把它放到正常的节点上运行。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended: out of memory. Start a new job with more memory (Memory in the lab server&apos;s settings).</source>
        <translation>您的 Jupyter 作业 {job} 已结束：内存不足。请用更多内存启动新作业（实验室服务器设置中的“内存”）。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended: Jupyter itself was shut down. Start a new job to go on.</source>
        <translation>您的 Jupyter 作业 {job} 已结束：Jupyter 自身被关闭了。请启动新作业继续。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended: Jupyter failed on {node}. Start a new job to go on; its log is in ~/.local/share/labtunnel/slurm on the cluster.</source>
        <translation>您的 Jupyter 作业 {job} 已结束：Jupyter 在 {node} 上出错。请启动新作业继续；其日志在集群上的 ~/.local/share/labtunnel/slurm 中。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} ended (Slurm no longer says why). Start a new job to go on.</source>
        <translation>您的 Jupyter 作业 {job} 已结束（Slurm 已不再提供原因）。请启动新作业继续。</translation>
    </message>
    <message>
        <source>Your Jupyter job {job} failed at start on {node}. Its log ends with: {tail} Check the Jupyter environment and the Slurm settings of the lab server.</source>
        <extracomment>endings that come from Slurm or an admin, whatever the job was doing</extracomment>
        <translation>您的 Jupyter 作业 {job} 在 {node} 上启动时失败。其日志结尾为：{tail} 请检查实验室服务器的 Jupyter 环境和 Slurm 设置。</translation>
    </message>
    <message>
        <source>{host} has no Slurm commands (sbatch, squeue) for you. Connect to the cluster&apos;s login node, or set “Jupyter runs” to “On this server” in the lab server&apos;s settings.</source>
        <translation>{host} 上没有可供您使用的 Slurm 命令（sbatch、squeue）。请连接到集群的登录节点，或在实验室服务器的设置中把“Jupyter 运行位置”设为“在此服务器上”。</translation>
    </message>
    <message>
        <source>its time limit is longer than the partition allows</source>
        <extracomment>why Slurm can never start a pending job</extracomment>
        <translation>它的时间限制超过了分区允许的上限</translation>
    </message>
    <message>
        <source>it asks for more than the partition&apos;s nodes have</source>
        <translation>它请求的资源超过了分区节点所拥有的</translation>
    </message>
    <message>
        <source>no node can ever give what it asks for</source>
        <translation>没有任何节点能满足它的请求</translation>
    </message>
    <message>
        <source>its account is not valid for you</source>
        <translation>它的账户对您无效</translation>
    </message>
    <message>
        <source>its QoS is not valid for you</source>
        <translation>它的 QoS 对您无效</translation>
    </message>
    <message>
        <source>it is over a limit of your account or QoS</source>
        <translation>它超出了您账户或 QoS 的限制</translation>
    </message>
    <message>
        <source>The time limit is longer than the partition allows (Slurm: “{detail}”). Choose a shorter time limit in the lab server&apos;s settings.</source>
        <translation>时间限制超过了分区允许的上限（Slurm：“{detail}”）。请在实验室服务器的设置中选择更短的时间限制。</translation>
    </message>
    <message>
        <source>No node of the partition has what the job asks for (Slurm: “{detail}”). Ask for fewer GPUs or CPUs, or less memory, in the lab server&apos;s settings.</source>
        <translation>分区中没有节点能满足作业的请求（Slurm：“{detail}”）。请在实验室服务器的设置中减少 GPU、CPU 或内存。</translation>
    </message>
    <message>
        <source>No node of the partition has that much memory (Slurm: “{detail}”). Ask for less memory in the lab server&apos;s settings.</source>
        <translation>分区中没有节点有这么多内存（Slurm：“{detail}”）。请在实验室服务器的设置中减少内存。</translation>
    </message>
    <message>
        <source>No node of the partition has that many CPUs (Slurm: “{detail}”). Ask for fewer CPUs in the lab server&apos;s settings.</source>
        <translation>分区中没有节点有这么多 CPU（Slurm：“{detail}”）。请在实验室服务器的设置中减少 CPU。</translation>
    </message>
    <message>
        <source>Slurm does not accept the GPUs asked for (Slurm: “{detail}”). Ask for fewer GPUs (or 0) in the lab server&apos;s settings, or ask your admin how GPUs are requested here.</source>
        <translation>Slurm 不接受所请求的 GPU（Slurm：“{detail}”）。请在实验室服务器的设置中减少 GPU（或设为 0），或询问管理员这里如何申请 GPU。</translation>
    </message>
    <message>
        <source>Slurm does not accept the account of the job (Slurm: “{detail}”). Correct the Account in the lab server&apos;s settings, or leave it empty.</source>
        <translation>Slurm 不接受作业的账户（Slurm：“{detail}”）。请在实验室服务器的设置中更正“账户”，或留空。</translation>
    </message>
    <message>
        <source>Slurm does not accept the QoS of the job (Slurm: “{detail}”). Correct the QoS in the lab server&apos;s settings, or leave it empty.</source>
        <translation>Slurm 不接受作业的 QoS（Slurm：“{detail}”）。请在实验室服务器的设置中更正 QoS，或留空。</translation>
    </message>
    <message>
        <source>The job is over a limit of your account or QoS (Slurm: “{detail}”). Ask for less in the lab server&apos;s settings, or ask your admin.</source>
        <translation>作业超出了您账户或 QoS 的限制（Slurm：“{detail}”）。请在实验室服务器的设置中减少请求，或询问管理员。</translation>
    </message>
    <message>
        <source>Slurm&apos;s controller does not answer on the cluster (Slurm: “{detail}”). Try again in a few minutes; tell your admin if it goes on.</source>
        <translation>集群上的 Slurm 控制器没有响应（Slurm：“{detail}”）。请几分钟后重试；若一直如此，请告知管理员。</translation>
    </message>
    <message>
        <source>Slurm refused the job: “{detail}”. Check the Slurm settings of the lab server.</source>
        <translation>Slurm 拒绝了作业：“{detail}”。请检查实验室服务器的 Slurm 设置。</translation>
    </message>
    <message>
        <source>The cluster has no partition “{partition}”. Choose one of {partitions} in the lab server&apos;s settings, or leave Partition empty for the default.</source>
        <translation>集群没有分区“{partition}”。请在实验室服务器的设置中从 {partitions} 中选择一个，或将“分区”留空以使用默认分区。</translation>
    </message>
    <message>
        <source>The cluster has no partition “{partition}”. Correct the Partition in the lab server&apos;s settings (sinfo lists them), or leave it empty for the default.</source>
        <translation>集群没有分区“{partition}”。请在实验室服务器的设置中更正“分区”（sinfo 会列出所有分区），或留空以使用默认分区。</translation>
    </message>
    <message>
        <source>Slurm would never start job {job}: {why} ({reason}). LabTunnel cancelled it; change the request in the lab server&apos;s settings.</source>
        <translation>Slurm 永远不会启动作业 {job}：{why}（{reason}）。LabTunnel 已取消它；请在实验室服务器的设置中修改请求。</translation>
    </message>
    <message>
        <source>Open Jupyter</source>
        <translation>打开 Jupyter</translation>
    </message>
    <message>
        <source>LabTunnel could not open the browser ({detail}). Copy the address into your browser yourself.</source>
        <translation>LabTunnel 无法打开浏览器（{detail}）。请自己把地址复制到浏览器中。</translation>
    </message>
    <message>
        <source>Nothing was changed: LabTunnel keeps signing in with your password.</source>
        <translation>没有做任何更改：LabTunnel 继续用您的密码登录。</translation>
    </message>
    <message>
        <source>Signing in with your password…</source>
        <translation>正在用您的密码登录…</translation>
    </message>
    <message>
        <source>Checking that the server accepts keys…</source>
        <translation>正在检查服务器是否接受密钥…</translation>
    </message>
    <message>
        <source>Adding the key to ~/.ssh/authorized_keys…</source>
        <translation>正在把密钥添加到 ~/.ssh/authorized_keys…</translation>
    </message>
    <message>
        <source>Signing in with the key alone, as a test…</source>
        <translation>正在只用密钥登录，作为测试…</translation>
    </message>
    <message>
        <source>Saving the lab server&apos;s settings…</source>
        <translation>正在保存实验室服务器的设置…</translation>
    </message>
    <message>
        <source>Taking the key off the server…</source>
        <translation>正在从服务器上移除密钥…</translation>
    </message>
    <message>
        <source>LabTunnel now signs in to {host} with a key ({path}) and checked it.</source>
        <translation>LabTunnel 现在用密钥（{path}）登录 {host}，并已验证可用。</translation>
    </message>
    <message>
        <source>{host} had this key already; nothing was added.</source>
        <translation>{host} 上已经有这个密钥；没有添加任何内容。</translation>
    </message>
    <message>
        <source>{host} still asks for a one-time code after the key: LabTunnel asks you for it when connecting, as before.</source>
        <translation>{host} 在密钥之后仍要求输入一次性验证码：LabTunnel 会像以前一样在连接时向您询问。</translation>
    </message>
    <message>
        <source>The password of “{profile}” is still saved in your keyring, but signing in no longer needs it. Delete it?</source>
        <translation>“{profile}”的密码仍保存在您的密钥环中，但登录已不再需要它。要删除吗？</translation>
    </message>
    <message>
        <source>The saved password of “{profile}” was deleted.</source>
        <translation>已删除“{profile}”保存的密码。</translation>
    </message>
    <message>
        <source>The password of “{profile}” stays saved (labtunnel profile forget-password deletes it later).</source>
        <translation>“{profile}”的密码仍然保存着（以后可用 labtunnel profile forget-password 删除）。</translation>
    </message>
    <message>
        <source>LabTunnel signs in to {host} with your password again. It had added no line for this key to ~/.ssh/authorized_keys, so that file was left as it is.</source>
        <translation>LabTunnel 重新用您的密码登录 {host}。它没有为这个密钥在 ~/.ssh/authorized_keys 中添加过任何行，因此该文件保持原样。</translation>
    </message>
    <message>
        <source>LabTunnel signs in to {host} with your password again and took its key off the server ({count} line(s) removed from ~/.ssh/authorized_keys).</source>
        <translation>LabTunnel 重新用您的密码登录 {host}，并已从服务器上移除它的密钥（从 ~/.ssh/authorized_keys 中删除了 {count} 行）。</translation>
    </message>
    <message>
        <source>The key file it made was deleted.</source>
        <translation>它生成的密钥文件已删除。</translation>
    </message>
    <message>
        <source>“{profile}” does not sign in with a key, so there is no key to remove.</source>
        <translation>“{profile}”没有使用密钥登录，因此没有可移除的密钥。</translation>
    </message>
    <message>
        <source>“{profile}” signs in with its password: deleting it would stop it from connecting. Switch it to a key first (labtunnel profile use-key &quot;{profile}&quot;).</source>
        <translation>“{profile}”用密码登录：删除密码会使它无法连接。请先改用密钥（labtunnel profile use-key &quot;{profile}&quot;）。</translation>
    </message>
    <message>
        <source>“{profile}” already signs in with a key or the SSH agent, not a password: there is nothing to switch. To start again with a new key, run labtunnel profile remove-key &quot;{profile}&quot; first.</source>
        <translation>“{profile}”已经用密钥或 SSH 代理登录，而不是密码：没有需要切换的。若要换用新密钥，请先运行 labtunnel profile remove-key &quot;{profile}&quot;。</translation>
    </message>
    <message>
        <source>{host} does not accept keys for signing in (it allows: {allowed}; see PubkeyAuthentication and AuthenticationMethods in its SSH settings). {keeps}</source>
        <translation>{host} 不接受用密钥登录（它允许：{allowed}；见其 SSH 设置中的 PubkeyAuthentication 和 AuthenticationMethods）。{keeps}</translation>
    </message>
    <message>
        <source>{host} takes the key only as well as your password (AuthenticationMethods), so a key would not spare you the password. The key was taken off again. {keeps}</source>
        <translation>{host} 只在密钥之外还提供密码时才接受密钥（AuthenticationMethods），所以密钥并不能让您省去密码。密钥已重新移除。{keeps}</translation>
    </message>
    <message>
        <source>{host} did not accept the key even in {path}: its SSH server may read keys from somewhere else (AuthorizedKeysFile). The key was taken off again; ask your lab admin where keys go. {keeps}</source>
        <translation>即使密钥已在 {path} 中，{host} 仍不接受它：其 SSH 服务器可能从别处读取密钥（AuthorizedKeysFile）。密钥已重新移除；请询问实验室管理员密钥应放在哪里。{keeps}</translation>
    </message>
    <message>
        <source>{host} ignores keys because {path} belongs to another user; its SSH server then refuses every key (StrictModes). Ask your lab admin to make it yours again, then try again. The key was taken off again. {keeps}</source>
        <translation>{host} 忽略密钥，因为 {path} 属于另一个用户；这时其 SSH 服务器会拒绝所有密钥（StrictModes）。请让实验室管理员把它改回归您所有，然后重试。密钥已重新移除。{keeps}</translation>
    </message>
    <message>
        <source>{host} ignores keys because other users may change {path} ({mode}); its SSH server then refuses every key (StrictModes). Fix it on the server with: chmod go-w {path} - then try again. The key was taken off again. {keeps}</source>
        <translation>{host} 忽略密钥，因为其他用户可以修改 {path}（{mode}）；这时其 SSH 服务器会拒绝所有密钥（StrictModes）。请在服务器上运行 chmod go-w {path} 修复，然后重试。密钥已重新移除。{keeps}</translation>
    </message>
    <message>
        <source>Your home folder on {host} is read-only, so LabTunnel could not add the key to {path}. Ask your lab admin how keys are added there. {keeps}</source>
        <translation>您在 {host} 上的主文件夹是只读的，因此 LabTunnel 无法把密钥添加到 {path}。请询问实验室管理员在那里如何添加密钥。{keeps}</translation>
    </message>
    <message>
        <source>Your home folder on {host} is full (or over its quota), so LabTunnel could not add the key to {path}. Free some space there, then try again. {keeps}</source>
        <translation>您在 {host} 上的主文件夹已满（或超出配额），因此 LabTunnel 无法把密钥添加到 {path}。请在那里腾出一些空间，然后重试。{keeps}</translation>
    </message>
    <message>
        <source>LabTunnel may not change {path} on {host} ({detail}). Check that ~/.ssh is yours, then try again. {keeps}</source>
        <translation>LabTunnel 无权修改 {host} 上的 {path}（{detail}）。请确认 ~/.ssh 归您所有，然后重试。{keeps}</translation>
    </message>
    <message>
        <source>{path} on {host} is a link to another file, which LabTunnel does not replace. Add the key to that file yourself, or ask your lab admin. {keeps}</source>
        <translation>{host} 上的 {path} 是指向另一个文件的链接，LabTunnel 不会替换它。请自己把密钥添加到那个文件中，或询问实验室管理员。{keeps}</translation>
    </message>
    <message>
        <source>Your account on {host} has no home folder, so there is no place for a key. Ask your lab admin. {keeps}</source>
        <translation>您在 {host} 上的账户没有主文件夹，因此没有地方存放密钥。请询问实验室管理员。{keeps}</translation>
    </message>
    <message>
        <source>LabTunnel could not change {path} on {host} ({detail}). Check your home folder there, then try again. {keeps}</source>
        <translation>LabTunnel 无法修改 {host} 上的 {path}（{detail}）。请检查您在那里的主文件夹，然后重试。{keeps}</translation>
    </message>
    <message>
        <source>{host} did not accept your password, so LabTunnel kept the key: removing it would lock you out. Enter the right password and try again.</source>
        <translation>{host} 不接受您的密码，因此 LabTunnel 保留了密钥：移除它会把您锁在外面。请输入正确的密码后重试。</translation>
    </message>
</context>
</TS>
