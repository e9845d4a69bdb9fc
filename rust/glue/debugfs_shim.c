// SPDX-License-Identifier: GPL-2.0
/*
 * oomfrag's debugfs files, created with an owner.  The kernel's Rust
 * debugfs abstraction (7.3) leaves file_operations.owner NULL: an open file
 * does not pin the module, and a close() after rmmod runs debugfs'
 * full_proxy_release() on the module's freed file_operations (an oops
 * found by make soak).  Here every file has THIS_MODULE as owner, so rmmod
 * waits for no one and fails with EBUSY while a file is open.  Each file's
 * i_private is a struct oomfrag_file owned by Rust (debugfs.rs), which
 * carries the functions reading and writing it and their state.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "shim.h"

static int oomfrag_show(struct seq_file *m, void *v)
{
	const struct oomfrag_file *f = m->private;

	return f->show(f, m);
}

static int oomfrag_open(struct inode *inode, struct file *file)
{
	return single_open(file, oomfrag_show, inode->i_private);
}

static ssize_t oomfrag_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	const struct seq_file *m = file->private_data;
	const struct oomfrag_file *f = m->private;

	return f->write(f, buf, len);
}

static const struct file_operations oomfrag_ro_fops = {
	.owner = THIS_MODULE,
	.open = oomfrag_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations oomfrag_rw_fops = {
	.owner = THIS_MODULE,
	.open = oomfrag_open,
	.read = seq_read,
	.write = oomfrag_write,
	.llseek = seq_lseek,
	.release = single_release,
};

struct dentry *oomfrag_debugfs_dir(const char *name)
{
	return debugfs_create_dir(name, NULL);
}

int oomfrag_debugfs_file(struct dentry *dir, const char *name, bool writable,
			 const struct oomfrag_file *f)
{
	struct dentry *d;

	d = debugfs_create_file(name, writable ? 0600 : 0400, dir, (void *)f,
				writable ? &oomfrag_rw_fops : &oomfrag_ro_fops);
	return IS_ERR(d) ? PTR_ERR(d) : 0;
}

void oomfrag_debugfs_remove(struct dentry *dir)
{
	debugfs_remove(dir);
}

/*
 * Appends @len bytes to the file's contents; -1 once the buffer has
 * overflowed (seq_read() then calls the show function again with a larger
 * one, so the rest need not be formatted).
 */
int oomfrag_seq_write(struct seq_file *m, const char *s, size_t len)
{
	return seq_write(m, s, len);
}
