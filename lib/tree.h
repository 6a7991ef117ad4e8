/* A generic ordered tree: an intrusive AVL tree with parent pointers.
 * The caller embeds a struct tree_node in its own struct and gives one
 * comparator; find, insert, remove and successor are O(log n). The tree
 * never allocates and never owns its nodes. */
#ifndef LIB_TREE_H
#define LIB_TREE_H

#include <stddef.h>

struct tree_node {
	struct tree_node *parent, *left, *right;
	int height;
};

/* Compares a key with the key of node: < 0, 0 or > 0. */
typedef int (*tree_cmp_fn)(const void *key, const struct tree_node *node);

struct tree {
	struct tree_node *root;
	size_t count;
	tree_cmp_fn cmp;
};

/* The struct of type that holds node as its member. */
#define TREE_ENTRY(node, type, member)                                   \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

void tree_init(struct tree *t, tree_cmp_fn cmp);
/* The node whose key equals key, or NULL. */
struct tree_node *tree_find(const struct tree *t, const void *key);
/* Links node in under key and returns NULL; when a node with an equal key
 * is there already, returns it and leaves node out. */
struct tree_node *tree_insert(struct tree *t, struct tree_node *node,
			      const void *key);

/* Where a key would go: find and insert with one descent. */
struct tree_pos {
	struct tree_node *parent;
	struct tree_node **link;
};
/* The node whose key equals key; when there is none, NULL with *pos set
 * for tree_insert_at (valid until t changes). */
struct tree_node *tree_search(struct tree *t, const void *key,
			      struct tree_pos *pos);
void tree_insert_at(struct tree *t, struct tree_node *node,
		    const struct tree_pos *pos);
/* Links node as the new last node: its key must sort after every key in
 * t. No comparisons, for filling a tree in order. */
void tree_append(struct tree *t, struct tree_node *node);
/* Unlinks node, which must be in t. */
void tree_remove(struct tree *t, struct tree_node *node);
/* The smallest node (NULL when empty) and the successor of node (NULL at
 * the end); the largest node (NULL when empty). */
struct tree_node *tree_first(const struct tree *t);
struct tree_node *tree_last(const struct tree *t);
struct tree_node *tree_next(const struct tree_node *node);
/* Unlinks and returns some node (NULL when t is empty) without keeping the
 * balance: for freeing every node. Once it is called, only tree_drain may
 * be used on t until it returns NULL. */
struct tree_node *tree_drain(struct tree *t);

#endif
