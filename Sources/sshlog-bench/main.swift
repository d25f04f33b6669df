import SSHLogCore
print("sshlog-bench: being built")
